//! The RBAC authorizer: visit the rules of every ClusterRoleBinding, then of
//! every RoleBinding in the request's namespace, whose subjects include the
//! user; allow on the first rule that covers the request.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use serde_json::Value;

use crate::aggregate::effective_rules;
use crate::{At2, Attributes, Authorization, Decision, RbacObjects, UserInfo, quote};

fn name_of(v: &Value) -> &str {
    v.at2("metadata", "name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn namespace_of(v: &Value) -> &str {
    v.at2("metadata", "namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn strings<'v>(rule: &'v Value, key: &str) -> Vec<&'v str> {
    rule.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn builtin_roles() -> &'static [Value] {
    static ROLES: OnceLock<Vec<Value>> = OnceLock::new();
    ROLES.get_or_init(crate::builtin_cluster_roles)
}

fn builtin_bindings() -> &'static [Value] {
    static BINDINGS: OnceLock<Vec<Value>> = OnceLock::new();
    BINDINGS.get_or_init(crate::builtin_cluster_role_bindings)
}

/// Stored objects first, then the built-ins whose names are not stored.
fn with_builtins<'a>(stored: &'a [Value], builtins: &'a [Value]) -> Vec<&'a Value> {
    let mut all: Vec<&Value> = stored.iter().collect();
    if stored.is_empty() {
        all.extend(builtins);
        return all;
    }
    let names: std::collections::HashSet<&str> = stored.iter().map(name_of).collect();
    all.extend(builtins.iter().filter(|b| !names.contains(name_of(b))));
    all
}

/// rbacv1helpers' VerbMatches, APIGroupMatches, ResourceMatches,
/// ResourceNameMatches and NonResourceURLMatches.
pub(crate) fn rule_allows(attrs: &Attributes, rule: &Value) -> bool {
    let verbs = strings(rule, "verbs");
    let verb_ok = verbs.iter().any(|v| *v == "*" || *v == attrs.verb);
    if !verb_ok {
        return false;
    }
    if attrs.resource_request {
        let combined = if attrs.subresource.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}/{}", attrs.resource, attrs.subresource)
        };
        let groups = strings(rule, "apiGroups");
        if !groups.iter().any(|g| *g == "*" || *g == attrs.api_group) {
            return false;
        }
        let resources = strings(rule, "resources");
        let resource_ok = resources.iter().any(|r| {
            *r == "*"
                || *r == combined
                || (!attrs.subresource.is_empty()
                    && r.len() == attrs.subresource.len() + 2
                    && r.starts_with("*/")
                    && r.ends_with(attrs.subresource.as_str()))
        });
        if !resource_ok {
            return false;
        }
        let names = strings(rule, "resourceNames");
        names.is_empty() || names.iter().any(|n| *n == attrs.name)
    } else {
        strings(rule, "nonResourceURLs").iter().any(|u| {
            *u == "*"
                || *u == attrs.path
                || (u.ends_with('*') && attrs.path.starts_with(u.trim_end_matches('*')))
        })
    }
}

/// Whether a binding subject denotes the user (`appliesToUser`); ServiceAccount
/// subjects without a namespace take the binding's namespace.
fn applies_to_user(user: &UserInfo, subject: &Value, namespace: &str) -> bool {
    let kind = subject.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
    match kind {
        "User" => user.name == name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let sa_ns = match subject.get("namespace").and_then(Value::as_str) {
                Some(ns) if !ns.is_empty() => ns,
                _ => namespace,
            };
            !sa_ns.is_empty() && user.name == format!("system:serviceaccount:{sa_ns}:{name}")
        }
        _ => false,
    }
}

fn describe_subject(subject: &Value, binding_ns: &str) -> String {
    let kind = subject.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = subject.get("name").and_then(Value::as_str).unwrap_or("");
    if kind == "ServiceAccount" {
        let ns = match subject.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() => ns,
            _ => binding_ns,
        };
        format!("{kind} {}", quote(&format!("{name}/{ns}")))
    } else {
        format!("{kind} {}", quote(name))
    }
}

fn applicable_subject<'b>(user: &UserInfo, binding: &'b Value, ns: &str) -> Option<&'b Value> {
    binding
        .get("subjects")
        .and_then(Value::as_array)?
        .iter()
        .find(|s| applies_to_user(user, s, ns))
}

enum RoleRules {
    Rules(Rc<Vec<Value>>),
    Error(String),
}

/// Effective (aggregated) rules per ClusterRole name, computed once per decision.
type ClusterRuleCache = HashMap<String, Rc<Vec<Value>>>;

fn role_reference_rules(
    binding: &Value,
    binding_ns: &str,
    roles: &[Value],
    cluster_roles: &[&Value],
    cache: &mut ClusterRuleCache,
) -> RoleRules {
    let kind = binding
        .at2("roleRef", "kind")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = binding
        .at2("roleRef", "name")
        .and_then(Value::as_str)
        .unwrap_or("");
    match kind {
        "Role" => match roles
            .iter()
            .find(|r| name_of(r) == name && namespace_of(r) == binding_ns)
        {
            Some(r) => RoleRules::Rules(Rc::new(
                r.get("rules")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            )),
            None => RoleRules::Error(format!(
                "role.rbac.authorization.k8s.io {} not found",
                quote(name)
            )),
        },
        "ClusterRole" => match cluster_roles.iter().copied().find(|r| name_of(r) == name) {
            Some(r) => RoleRules::Rules(
                cache
                    .entry(name.to_string())
                    .or_insert_with(|| Rc::new(effective_rules(r, cluster_roles, 0)))
                    .clone(),
            ),
            None => RoleRules::Error(format!(
                "clusterrole.rbac.authorization.k8s.io {} not found",
                quote(name)
            )),
        },
        other => RoleRules::Error(format!("unsupported role reference kind: {}", quote(other))),
    }
}

pub(crate) fn rbac_authorize(
    user: &UserInfo,
    attrs: &Attributes,
    objs: &RbacObjects,
) -> Authorization {
    let cluster_roles = with_builtins(objs.cluster_roles, builtin_roles());
    let cluster_role_bindings = with_builtins(objs.cluster_role_bindings, builtin_bindings());
    let mut errors: Vec<String> = Vec::new();
    let mut cache = ClusterRuleCache::new();

    for b in &cluster_role_bindings {
        let Some(subject) = applicable_subject(user, b, "") else {
            continue;
        };
        match role_reference_rules(b, "", objs.roles, &cluster_roles, &mut cache) {
            RoleRules::Error(e) => errors.push(e),
            RoleRules::Rules(rules) => {
                if rules.iter().any(|r| rule_allows(attrs, r)) {
                    return allowed(format!(
                        "ClusterRoleBinding {} of {} {} to {}",
                        quote(name_of(b)),
                        b.at2("roleRef", "kind")
                            .and_then(Value::as_str)
                            .unwrap_or(""),
                        quote(
                            b.at2("roleRef", "name")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                        ),
                        describe_subject(subject, "")
                    ));
                }
            }
        }
    }
    if !attrs.namespace.is_empty() {
        for b in objs
            .role_bindings
            .iter()
            .filter(|b| namespace_of(b) == attrs.namespace)
        {
            let ns = attrs.namespace.as_str();
            let Some(subject) = applicable_subject(user, b, ns) else {
                continue;
            };
            match role_reference_rules(b, ns, objs.roles, &cluster_roles, &mut cache) {
                RoleRules::Error(e) => errors.push(e),
                RoleRules::Rules(rules) => {
                    if rules.iter().any(|r| rule_allows(attrs, r)) {
                        return allowed(format!(
                            "RoleBinding {} of {} {} to {}",
                            quote(&format!("{}/{ns}", name_of(b))),
                            b.at2("roleRef", "kind")
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                            quote(
                                b.at2("roleRef", "name")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                            ),
                            describe_subject(subject, ns)
                        ));
                    }
                }
            }
        }
    }
    Authorization {
        decision: Decision::Deny,
        reason: if errors.is_empty() {
            String::new()
        } else {
            format!("RBAC: {}", aggregate_errors(&errors))
        },
    }
}

fn allowed(source: String) -> Authorization {
    Authorization {
        decision: Decision::Allow,
        reason: format!("RBAC: allowed by {source}"),
    }
}

/// utilerrors.NewAggregate(...).Error(): one error as is, several deduplicated
/// and bracketed.
fn aggregate_errors(errors: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    if seen.len() == 1 {
        seen[0].to_string()
    } else {
        format!("[{}]", seen.join(", "))
    }
}
