//! Authorization (RBAC via the kube-rbac crate) and impersonation.

use axum::http::HeaderMap;
use serde_json::Value;

use crate::auth::{User, service_account_groups};
use crate::error::{ApiError, ApiResult};
use crate::kinds::ResourceType;
use crate::server::Server;

fn rbac_objects(srv: &Server) -> [Vec<Value>; 4] {
    let get = |k: &str| {
        srv.store
            .list(k, None, None)
            .0
            .into_iter()
            .map(|a| (*a).clone())
            .collect::<Vec<_>>()
    };
    [
        get("roles.rbac.authorization.k8s.io"),
        get("clusterroles.rbac.authorization.k8s.io"),
        get("rolebindings.rbac.authorization.k8s.io"),
        get("clusterrolebindings.rbac.authorization.k8s.io"),
    ]
}

/// Ok, or Err with the authorizer's reason.
fn check(srv: &Server, user: &User, attrs: &kube_rbac::Attributes) -> Result<(), String> {
    if user.is_admin() {
        return Ok(());
    }
    let [roles, cluster_roles, role_bindings, cluster_role_bindings] = rbac_objects(srv);
    let objs = kube_rbac::RbacObjects {
        roles: &roles,
        cluster_roles: &cluster_roles,
        role_bindings: &role_bindings,
        cluster_role_bindings: &cluster_role_bindings,
    };
    let info = kube_rbac::UserInfo {
        name: user.name.clone(),
        groups: user.groups.clone(),
    };
    let a = kube_rbac::authorize_detailed(&info, attrs, &objs);
    match a.decision {
        kube_rbac::Decision::Allow => Ok(()),
        kube_rbac::Decision::Deny => Err(a.reason),
    }
}

fn attributes(
    verb: &str,
    group: &str,
    resource: &str,
    sub: &str,
    ns: &str,
    name: &str,
) -> kube_rbac::Attributes {
    kube_rbac::Attributes {
        verb: verb.into(),
        api_group: group.into(),
        resource: resource.into(),
        subresource: sub.into(),
        namespace: ns.into(),
        name: name.into(),
        path: String::new(),
        resource_request: true,
    }
}

fn deny(
    user: &User,
    attrs: &kube_rbac::Attributes,
    rt: Option<&ResourceType>,
    reason: &str,
) -> ApiError {
    let info = kube_rbac::UserInfo {
        name: user.name.clone(),
        groups: user.groups.clone(),
    };
    let msg = kube_rbac::forbidden_message_with_reason(&info, attrs, reason);
    let mut e = ApiError::forbidden(msg, None);
    let mut d = serde_json::Map::new();
    if !attrs.name.is_empty() {
        d.insert("name".into(), attrs.name.clone().into());
    }
    if let Some(rt) = rt
        && !rt.group.is_empty()
    {
        d.insert("group".into(), rt.group.clone().into());
    }
    d.insert("kind".into(), attrs.resource.clone().into());
    e.details = Some(Value::Object(d));
    e
}

/// Allow or refuse a resource request.
pub fn authorize(
    srv: &Server,
    user: &User,
    verb: &str,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    sub: &str,
) -> ApiResult<()> {
    let attrs = attributes(verb, &rt.group, &rt.plural, sub, ns, name);
    check(srv, user, &attrs).map_err(|reason| deny(user, &attrs, Some(rt), &reason))
}

fn header_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(String::from)
        .collect()
}

/// Apply Impersonate-User / Impersonate-Group headers for users allowed to impersonate.
pub fn impersonate(srv: &Server, user: User, headers: &HeaderMap) -> ApiResult<User> {
    let target = header_values(headers, "impersonate-user");
    let groups = header_values(headers, "impersonate-group");
    let Some(target) = target.into_iter().next() else {
        if !groups.is_empty() {
            return Err(ApiError::bad_request(
                "requested [{Group system:authenticated  impersonation.k8s.io/v1 }] without impersonating a user",
            ));
        }
        return Ok(user);
    };
    let sa = target
        .strip_prefix("system:serviceaccount:")
        .and_then(|r| r.split_once(':'));
    let attrs = match sa {
        Some((ns, name)) => attributes("impersonate", "", "serviceaccounts", "", ns, name),
        None => attributes("impersonate", "", "users", "", "", &target),
    };
    check(srv, &user, &attrs).map_err(|reason| deny(&user, &attrs, None, &reason))?;
    for g in &groups {
        let attrs = attributes("impersonate", "", "groups", "", "", g);
        check(srv, &user, &attrs).map_err(|reason| deny(&user, &attrs, None, &reason))?;
    }
    let mut all_groups = groups;
    if let Some(sa_groups) = service_account_groups(&target) {
        for g in sa_groups {
            if !all_groups.contains(&g) {
                all_groups.push(g);
            }
        }
    }
    if !all_groups.iter().any(|g| g == "system:authenticated") {
        all_groups.push("system:authenticated".into());
    }
    Ok(User {
        name: target,
        groups: all_groups,
    })
}

/// Answer a SelfSubjectAccessReview (for the caller) or SubjectAccessReview (for spec.user).
pub fn review(
    srv: &Server,
    caller: &User,
    rt: &ResourceType,
    mut review: Value,
) -> ApiResult<Value> {
    let spec = review.get("spec").cloned().unwrap_or(Value::Null);
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let user = if rt.kind == "SubjectAccessReview" {
        let groups = spec
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|g| g.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        User {
            name: s(&spec, "user"),
            groups,
        }
    } else {
        caller.clone()
    };
    let attrs = if let Some(r) = spec.get("resourceAttributes") {
        let mut a = attributes(
            &s(r, "verb"),
            &s(r, "group"),
            &s(r, "resource"),
            &s(r, "subresource"),
            &s(r, "namespace"),
            &s(r, "name"),
        );
        a.resource_request = true;
        a
    } else if let Some(n) = spec.get("nonResourceAttributes") {
        kube_rbac::Attributes {
            verb: s(n, "verb"),
            api_group: String::new(),
            resource: String::new(),
            subresource: String::new(),
            namespace: String::new(),
            name: String::new(),
            path: s(n, "path"),
            resource_request: false,
        }
    } else {
        return Err(ApiError::invalid_plain(format!(
            "{}.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
            rt.kind
        )));
    };
    let (allowed, reason) = match check(srv, &user, &attrs) {
        Ok(()) => (true, String::new()),
        Err(reason) => (false, reason),
    };
    let mut status = serde_json::json!({"allowed": allowed});
    if !reason.is_empty() {
        status["reason"] = Value::String(reason);
    }
    review["status"] = status;
    review["apiVersion"] = Value::String("authorization.k8s.io/v1".into());
    review["kind"] = Value::String(rt.kind.clone());
    if !review.get("metadata").is_some_and(Value::is_object) {
        review["metadata"] = serde_json::json!({});
    }
    Ok(review)
}
