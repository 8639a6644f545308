//! Decoding of the protobuf request bodies kubectl's typed `create` subcommands send
//! (`kubectl create namespace|configmap|secret|serviceaccount|deployment|job|service|role|...`).
//! Only the kinds and fields in the tables below are understood; anything else is refused with
//! 415 so that nothing is silently dropped. Status messages are skipped (create drops status).

use base64::Engine;
use serde_json::{Map, Value, json};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProtoError {
    #[error("protobuf body is not a Kubernetes envelope")]
    NotEnvelope,
    #[error("truncated protobuf message")]
    Truncated,
    #[error("protobuf encoding of {0} is not supported by this emulator; send JSON")]
    UnsupportedKind(String),
    #[error("protobuf field {field} of {message} is not supported by this emulator; send JSON")]
    UnknownField { message: &'static str, field: u64 },
    #[error("protobuf message nested too deeply")]
    TooDeep,
}

#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Bool,
    Msg(&'static Msg),
    MapStr,
    MapBytes,
    MapQuantity,
    Time,
    IntOrString,
    /// A message whose content is ignored (status on create).
    Skip,
}

struct F {
    num: u64,
    name: &'static str,
    ty: Ty,
    repeated: bool,
    /// Pointer fields in Go: a zero value is meaningful and kept.
    keep_zero: bool,
}

const fn f(num: u64, name: &'static str, ty: Ty) -> F {
    F {
        num,
        name,
        ty,
        repeated: false,
        keep_zero: false,
    }
}
const fn ptr(num: u64, name: &'static str, ty: Ty) -> F {
    F {
        num,
        name,
        ty,
        repeated: false,
        keep_zero: true,
    }
}
const fn rep(num: u64, name: &'static str, ty: Ty) -> F {
    F {
        num,
        name,
        ty,
        repeated: true,
        keep_zero: false,
    }
}

struct Msg {
    name: &'static str,
    fields: &'static [F],
}

static OWNER_REF: Msg = Msg {
    name: "OwnerReference",
    fields: &[
        f(1, "kind", Ty::Str),
        f(3, "name", Ty::Str),
        f(4, "uid", Ty::Str),
        f(5, "apiVersion", Ty::Str),
        ptr(6, "controller", Ty::Bool),
        ptr(7, "blockOwnerDeletion", Ty::Bool),
    ],
};
static OBJECT_META: Msg = Msg {
    name: "ObjectMeta",
    fields: &[
        f(1, "name", Ty::Str),
        f(2, "generateName", Ty::Str),
        f(3, "namespace", Ty::Str),
        f(4, "selfLink", Ty::Str),
        f(5, "uid", Ty::Str),
        f(6, "resourceVersion", Ty::Str),
        f(7, "generation", Ty::Int),
        f(8, "creationTimestamp", Ty::Time),
        f(9, "deletionTimestamp", Ty::Time),
        f(10, "deletionGracePeriodSeconds", Ty::Int),
        f(11, "labels", Ty::MapStr),
        f(12, "annotations", Ty::MapStr),
        rep(13, "ownerReferences", Ty::Msg(&OWNER_REF)),
        rep(14, "finalizers", Ty::Str),
        rep(17, "managedFields", Ty::Skip),
    ],
};
static LABEL_SELECTOR_REQ: Msg = Msg {
    name: "LabelSelectorRequirement",
    fields: &[
        f(1, "key", Ty::Str),
        f(2, "operator", Ty::Str),
        rep(3, "values", Ty::Str),
    ],
};
static LABEL_SELECTOR: Msg = Msg {
    name: "LabelSelector",
    fields: &[
        f(1, "matchLabels", Ty::MapStr),
        rep(2, "matchExpressions", Ty::Msg(&LABEL_SELECTOR_REQ)),
    ],
};
static NAMESPACE_SPEC: Msg = Msg {
    name: "NamespaceSpec",
    fields: &[rep(1, "finalizers", Ty::Str)],
};
static NAMESPACE: Msg = Msg {
    name: "Namespace",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&NAMESPACE_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};
static CONFIG_MAP: Msg = Msg {
    name: "ConfigMap",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "data", Ty::MapStr),
        f(3, "binaryData", Ty::MapBytes),
        ptr(4, "immutable", Ty::Bool),
    ],
};
static SECRET: Msg = Msg {
    name: "Secret",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "data", Ty::MapBytes),
        f(3, "type", Ty::Str),
        f(4, "stringData", Ty::MapStr),
        ptr(5, "immutable", Ty::Bool),
    ],
};
static OBJECT_REF: Msg = Msg {
    name: "ObjectReference",
    fields: &[
        f(1, "kind", Ty::Str),
        f(2, "namespace", Ty::Str),
        f(3, "name", Ty::Str),
        f(4, "uid", Ty::Str),
        f(5, "apiVersion", Ty::Str),
        f(6, "resourceVersion", Ty::Str),
        f(7, "fieldPath", Ty::Str),
    ],
};
static LOCAL_OBJECT_REF: Msg = Msg {
    name: "LocalObjectReference",
    fields: &[f(1, "name", Ty::Str)],
};
static SERVICE_ACCOUNT: Msg = Msg {
    name: "ServiceAccount",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        rep(2, "secrets", Ty::Msg(&OBJECT_REF)),
        rep(3, "imagePullSecrets", Ty::Msg(&LOCAL_OBJECT_REF)),
        ptr(4, "automountServiceAccountToken", Ty::Bool),
    ],
};
static CONTAINER_PORT: Msg = Msg {
    name: "ContainerPort",
    fields: &[
        f(1, "name", Ty::Str),
        f(2, "hostPort", Ty::Int),
        f(3, "containerPort", Ty::Int),
        f(4, "protocol", Ty::Str),
        f(5, "hostIP", Ty::Str),
    ],
};
static ENV_VAR: Msg = Msg {
    name: "EnvVar",
    fields: &[f(1, "name", Ty::Str), f(2, "value", Ty::Str)],
};
static RESOURCES: Msg = Msg {
    name: "ResourceRequirements",
    fields: &[
        f(1, "limits", Ty::MapQuantity),
        f(2, "requests", Ty::MapQuantity),
    ],
};
static CONTAINER: Msg = Msg {
    name: "Container",
    fields: &[
        f(1, "name", Ty::Str),
        f(2, "image", Ty::Str),
        rep(3, "command", Ty::Str),
        rep(4, "args", Ty::Str),
        f(5, "workingDir", Ty::Str),
        rep(6, "ports", Ty::Msg(&CONTAINER_PORT)),
        rep(7, "env", Ty::Msg(&ENV_VAR)),
        f(8, "resources", Ty::Msg(&RESOURCES)),
        f(13, "terminationMessagePath", Ty::Str),
        f(14, "imagePullPolicy", Ty::Str),
        f(16, "stdin", Ty::Bool),
        f(17, "stdinOnce", Ty::Bool),
        f(18, "tty", Ty::Bool),
        f(20, "terminationMessagePolicy", Ty::Str),
    ],
};
static POD_SPEC: Msg = Msg {
    name: "PodSpec",
    fields: &[
        rep(2, "containers", Ty::Msg(&CONTAINER)),
        f(3, "restartPolicy", Ty::Str),
        ptr(4, "terminationGracePeriodSeconds", Ty::Int),
        f(6, "dnsPolicy", Ty::Str),
        f(7, "nodeSelector", Ty::MapStr),
        f(8, "serviceAccountName", Ty::Str),
        f(9, "serviceAccount", Ty::Str),
        f(10, "nodeName", Ty::Str),
        f(11, "hostNetwork", Ty::Bool),
        f(12, "hostPID", Ty::Bool),
        f(13, "hostIPC", Ty::Bool),
        rep(15, "imagePullSecrets", Ty::Msg(&LOCAL_OBJECT_REF)),
        f(16, "hostname", Ty::Str),
        f(17, "subdomain", Ty::Str),
        f(19, "schedulerName", Ty::Str),
        rep(20, "initContainers", Ty::Msg(&CONTAINER)),
        f(24, "priorityClassName", Ty::Str),
    ],
};
static POD_TEMPLATE: Msg = Msg {
    name: "PodTemplateSpec",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&POD_SPEC)),
    ],
};
static DEPLOYMENT_STRATEGY: Msg = Msg {
    name: "DeploymentStrategy",
    fields: &[f(1, "type", Ty::Str)],
};
static DEPLOYMENT_SPEC: Msg = Msg {
    name: "DeploymentSpec",
    fields: &[
        ptr(1, "replicas", Ty::Int),
        f(2, "selector", Ty::Msg(&LABEL_SELECTOR)),
        f(3, "template", Ty::Msg(&POD_TEMPLATE)),
        f(4, "strategy", Ty::Msg(&DEPLOYMENT_STRATEGY)),
        f(5, "minReadySeconds", Ty::Int),
        ptr(6, "revisionHistoryLimit", Ty::Int),
        f(7, "paused", Ty::Bool),
        ptr(9, "progressDeadlineSeconds", Ty::Int),
    ],
};
static DEPLOYMENT: Msg = Msg {
    name: "Deployment",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&DEPLOYMENT_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};
static JOB_SPEC: Msg = Msg {
    name: "JobSpec",
    fields: &[
        ptr(1, "parallelism", Ty::Int),
        ptr(2, "completions", Ty::Int),
        ptr(3, "activeDeadlineSeconds", Ty::Int),
        f(4, "selector", Ty::Msg(&LABEL_SELECTOR)),
        ptr(5, "manualSelector", Ty::Bool),
        f(6, "template", Ty::Msg(&POD_TEMPLATE)),
        ptr(7, "backoffLimit", Ty::Int),
        ptr(8, "ttlSecondsAfterFinished", Ty::Int),
        ptr(10, "suspend", Ty::Bool),
    ],
};
static JOB: Msg = Msg {
    name: "Job",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&JOB_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};
static JOB_TEMPLATE: Msg = Msg {
    name: "JobTemplateSpec",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&JOB_SPEC)),
    ],
};
static CRON_JOB_SPEC: Msg = Msg {
    name: "CronJobSpec",
    fields: &[
        f(1, "schedule", Ty::Str),
        ptr(2, "startingDeadlineSeconds", Ty::Int),
        f(3, "concurrencyPolicy", Ty::Str),
        ptr(4, "suspend", Ty::Bool),
        f(5, "jobTemplate", Ty::Msg(&JOB_TEMPLATE)),
        ptr(6, "successfulJobsHistoryLimit", Ty::Int),
        ptr(7, "failedJobsHistoryLimit", Ty::Int),
        ptr(8, "timeZone", Ty::Str),
    ],
};
static CRON_JOB: Msg = Msg {
    name: "CronJob",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&CRON_JOB_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};
static SERVICE_PORT: Msg = Msg {
    name: "ServicePort",
    fields: &[
        f(1, "name", Ty::Str),
        f(2, "protocol", Ty::Str),
        f(3, "port", Ty::Int),
        f(4, "targetPort", Ty::IntOrString),
        f(5, "nodePort", Ty::Int),
    ],
};
static SERVICE_SPEC: Msg = Msg {
    name: "ServiceSpec",
    fields: &[
        rep(1, "ports", Ty::Msg(&SERVICE_PORT)),
        f(2, "selector", Ty::MapStr),
        f(3, "clusterIP", Ty::Str),
        f(4, "type", Ty::Str),
        rep(5, "externalIPs", Ty::Str),
        f(7, "sessionAffinity", Ty::Str),
        f(8, "loadBalancerIP", Ty::Str),
        f(10, "externalName", Ty::Str),
        f(11, "externalTrafficPolicy", Ty::Str),
        f(12, "healthCheckNodePort", Ty::Int),
        f(13, "publishNotReadyAddresses", Ty::Bool),
        rep(18, "clusterIPs", Ty::Str),
    ],
};
static SERVICE: Msg = Msg {
    name: "Service",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&SERVICE_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};
static POLICY_RULE: Msg = Msg {
    name: "PolicyRule",
    fields: &[
        rep(1, "verbs", Ty::Str),
        rep(2, "apiGroups", Ty::Str),
        rep(3, "resources", Ty::Str),
        rep(4, "resourceNames", Ty::Str),
        rep(5, "nonResourceURLs", Ty::Str),
    ],
};
static ROLE: Msg = Msg {
    name: "Role",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        rep(2, "rules", Ty::Msg(&POLICY_RULE)),
    ],
};
static SUBJECT: Msg = Msg {
    name: "Subject",
    fields: &[
        f(1, "kind", Ty::Str),
        f(2, "apiGroup", Ty::Str),
        f(3, "name", Ty::Str),
        f(4, "namespace", Ty::Str),
    ],
};
static ROLE_REF: Msg = Msg {
    name: "RoleRef",
    fields: &[
        f(1, "apiGroup", Ty::Str),
        f(2, "kind", Ty::Str),
        f(3, "name", Ty::Str),
    ],
};
static ROLE_BINDING: Msg = Msg {
    name: "RoleBinding",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        rep(2, "subjects", Ty::Msg(&SUBJECT)),
        f(3, "roleRef", Ty::Msg(&ROLE_REF)),
    ],
};

static RESOURCE_ATTRIBUTES: Msg = Msg {
    name: "ResourceAttributes",
    fields: &[
        f(1, "namespace", Ty::Str),
        f(2, "verb", Ty::Str),
        f(3, "group", Ty::Str),
        f(4, "version", Ty::Str),
        f(5, "resource", Ty::Str),
        f(6, "subresource", Ty::Str),
        f(7, "name", Ty::Str),
        f(8, "fieldSelector", Ty::Skip),
        f(9, "labelSelector", Ty::Skip),
    ],
};
static NON_RESOURCE_ATTRIBUTES: Msg = Msg {
    name: "NonResourceAttributes",
    fields: &[f(1, "path", Ty::Str), f(2, "verb", Ty::Str)],
};
static ACCESS_REVIEW_SPEC: Msg = Msg {
    name: "SubjectAccessReviewSpec",
    fields: &[
        f(1, "resourceAttributes", Ty::Msg(&RESOURCE_ATTRIBUTES)),
        f(
            2,
            "nonResourceAttributes",
            Ty::Msg(&NON_RESOURCE_ATTRIBUTES),
        ),
        f(3, "user", Ty::Str),
        rep(4, "groups", Ty::Str),
        f(5, "extra", Ty::Skip),
        f(6, "uid", Ty::Str),
    ],
};
static ACCESS_REVIEW: Msg = Msg {
    name: "SubjectAccessReview",
    fields: &[
        f(1, "metadata", Ty::Msg(&OBJECT_META)),
        f(2, "spec", Ty::Msg(&ACCESS_REVIEW_SPEC)),
        f(3, "status", Ty::Skip),
    ],
};

fn message_for(api_version: &str, kind: &str) -> Option<&'static Msg> {
    Some(match (api_version, kind) {
        ("v1", "Namespace") => &NAMESPACE,
        ("v1", "ConfigMap") => &CONFIG_MAP,
        ("v1", "Secret") => &SECRET,
        ("v1", "ServiceAccount") => &SERVICE_ACCOUNT,
        ("v1", "Service") => &SERVICE,
        ("apps/v1", "Deployment") => &DEPLOYMENT,
        ("batch/v1", "Job") => &JOB,
        ("batch/v1", "CronJob") => &CRON_JOB,
        ("rbac.authorization.k8s.io/v1", "Role" | "ClusterRole") => &ROLE,
        ("rbac.authorization.k8s.io/v1", "RoleBinding" | "ClusterRoleBinding") => &ROLE_BINDING,
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview" | "SubjectAccessReview") => {
            &ACCESS_REVIEW
        }
        _ => return None,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> Result<u64, ProtoError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or(ProtoError::Truncated)?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ProtoError::Truncated)
    }

    fn bytes(&mut self) -> Result<&'a [u8], ProtoError> {
        let len = usize::try_from(self.varint()?).map_err(|_| ProtoError::Truncated)?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|e| *e <= self.buf.len())
            .ok_or(ProtoError::Truncated)?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// Skip a field's value of the given wire type.
    fn skip(&mut self, wire: u64) -> Result<(), ProtoError> {
        match wire {
            0 => self.varint().map(|_| ()),
            1 => self.advance(8),
            2 => self.bytes().map(|_| ()),
            5 => self.advance(4),
            _ => Err(ProtoError::Truncated),
        }
    }

    fn advance(&mut self, n: usize) -> Result<(), ProtoError> {
        if self.pos + n > self.buf.len() {
            return Err(ProtoError::Truncated);
        }
        self.pos += n;
        Ok(())
    }
}

fn string(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

/// key=1, value=2 map entries.
fn map_entry(
    b: &[u8],
    value: impl Fn(&[u8]) -> Result<Value, ProtoError>,
) -> Result<(String, Value), ProtoError> {
    let mut r = Reader { buf: b, pos: 0 };
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => k = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (2, 2) => v = value(r.bytes()?)?,
            (_, w) => r.skip(w)?,
        }
    }
    Ok((k, v))
}

fn time(b: &[u8]) -> Result<Value, ProtoError> {
    let mut r = Reader { buf: b, pos: 0 };
    let mut secs = 0i64;
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 0) => secs = r.varint()? as i64,
            (_, w) => r.skip(w)?,
        }
    }
    if secs == 0 {
        return Ok(Value::Null);
    }
    Ok(chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        .unwrap_or(Value::Null))
}

fn int_or_string(b: &[u8]) -> Result<Value, ProtoError> {
    let mut r = Reader { buf: b, pos: 0 };
    let (mut kind, mut int, mut s) = (0u64, 0i64, String::new());
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 0) => kind = r.varint()?,
            (2, 0) => int = r.varint()? as i32 as i64,
            (3, 2) => s = String::from_utf8_lossy(r.bytes()?).into_owned(),
            (_, w) => r.skip(w)?,
        }
    }
    Ok(if kind == 1 { json!(s) } else { json!(int) })
}

/// A Quantity message: {string=1}.
fn quantity(b: &[u8]) -> Result<Value, ProtoError> {
    let mut r = Reader { buf: b, pos: 0 };
    while !r.done() {
        let tag = r.varint()?;
        if tag == (1 << 3) | 2 {
            return Ok(string(r.bytes()?));
        }
        r.skip(tag & 7)?;
    }
    Ok(json!("0"))
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Bool(b) => !b,
        Value::Object(_) | Value::Array(_) => false,
    }
}

fn decode(b: &[u8], msg: &Msg, depth: u32) -> Result<Value, ProtoError> {
    if depth > 32 {
        return Err(ProtoError::TooDeep);
    }
    let mut r = Reader { buf: b, pos: 0 };
    let mut out = Map::new();
    while !r.done() {
        let tag = r.varint()?;
        let (num, wire) = (tag >> 3, tag & 7);
        let Some(field) = msg.fields.iter().find(|f| f.num == num) else {
            return Err(ProtoError::UnknownField {
                message: msg.name,
                field: num,
            });
        };
        let value = match (field.ty, wire) {
            (Ty::Int, 0) => json!(r.varint()? as i64),
            (Ty::Bool, 0) => json!(r.varint()? != 0),
            (Ty::Str, 2) => string(r.bytes()?),
            (Ty::Msg(m), 2) => decode(r.bytes()?, m, depth + 1)?,
            (Ty::Time, 2) => time(r.bytes()?)?,
            (Ty::IntOrString, 2) => int_or_string(r.bytes()?)?,
            (Ty::Skip, 2) => {
                r.bytes()?;
                continue;
            }
            (Ty::MapStr | Ty::MapBytes | Ty::MapQuantity, 2) => {
                let entry = r.bytes()?;
                let (k, v) = match field.ty {
                    Ty::MapBytes => map_entry(entry, |b| {
                        Ok(json!(base64::engine::general_purpose::STANDARD.encode(b)))
                    })?,
                    Ty::MapQuantity => map_entry(entry, quantity)?,
                    _ => map_entry(entry, |b| Ok(string(b)))?,
                };
                let m = out.entry(field.name).or_insert_with(|| json!({}));
                if let Some(m) = m.as_object_mut() {
                    m.insert(k, v);
                }
                continue;
            }
            _ => {
                return Err(ProtoError::UnknownField {
                    message: msg.name,
                    field: num,
                });
            }
        };
        if field.repeated {
            let arr = out.entry(field.name).or_insert_with(|| json!([]));
            if let Some(a) = arr.as_array_mut() {
                a.push(value);
            }
        } else if field.keep_zero || !is_zero(&value) {
            out.insert(field.name.into(), value);
        } else {
            out.shift_remove(field.name);
        }
    }
    Ok(Value::Object(out))
}

/// Decode a `application/vnd.kubernetes.protobuf` body into the object's JSON form.
pub fn decode_object(body: &[u8]) -> Result<Value, ProtoError> {
    let rest = body.strip_prefix(b"k8s\0").ok_or(ProtoError::NotEnvelope)?;
    let mut r = Reader { buf: rest, pos: 0 };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    while !r.done() {
        let tag = r.varint()?;
        match (tag >> 3, tag & 7) {
            (1, 2) => {
                let mut tm = Reader {
                    buf: r.bytes()?,
                    pos: 0,
                };
                while !tm.done() {
                    let t = tm.varint()?;
                    match (t >> 3, t & 7) {
                        (1, 2) => api_version = String::from_utf8_lossy(tm.bytes()?).into_owned(),
                        (2, 2) => kind = String::from_utf8_lossy(tm.bytes()?).into_owned(),
                        (_, w) => tm.skip(w)?,
                    }
                }
            }
            (2, 2) => raw = r.bytes()?,
            (_, w) => r.skip(w)?,
        }
    }
    let msg = message_for(&api_version, &kind)
        .ok_or_else(|| ProtoError::UnsupportedKind(format!("{api_version} {kind}")))?;
    let mut obj = decode(raw, msg, 0)?;
    let Some(m) = obj.as_object_mut() else {
        return Err(ProtoError::NotEnvelope);
    };
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(api_version));
    out.insert("kind".into(), json!(kind));
    out.extend(std::mem::take(m));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn ld(num: u64, payload: &[u8], out: &mut Vec<u8>) {
        varint((num << 3) | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }

    #[test]
    fn decodes_a_configmap_envelope() {
        let mut meta = Vec::new();
        ld(1, b"cm", &mut meta);
        ld(2, b"", &mut meta);
        let mut entry = Vec::new();
        ld(1, b"k", &mut entry);
        ld(2, b"v", &mut entry);
        let mut cm = Vec::new();
        ld(1, &meta, &mut cm);
        ld(2, &entry, &mut cm);
        let mut tm = Vec::new();
        ld(1, b"v1", &mut tm);
        ld(2, b"ConfigMap", &mut tm);
        let mut unknown = Vec::new();
        ld(1, &tm, &mut unknown);
        ld(2, &cm, &mut unknown);
        let mut body = b"k8s\0".to_vec();
        body.extend(unknown);
        let v = decode_object(&body).unwrap();
        assert_eq!(
            v,
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"k": "v"}})
        );
        assert!(decode_object(b"{}").is_err());
        assert!(matches!(
            decode_object(&body[..body.len() - 2]),
            Err(ProtoError::Truncated)
        ));
    }
}
