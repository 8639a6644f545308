//! Kubernetes RBAC authorization as kube-apiserver evaluates it
//! (plugin/pkg/auth/authorizer/rbac), preceded by the `system:masters`
//! privileged-group authorizer, with the bootstrap ClusterRoles and
//! ClusterRoleBindings built in and Forbidden messages worded as the apiserver
//! words them.
//!
//! ```
//! use kube_rbac::*;
//! let alice = UserInfo::authenticated("alice", &[]);
//! let attrs = Attributes::resource("list", "", "configmaps", "default");
//! let objs = RbacObjects::default();
//! assert_eq!(authorize(&alice, &attrs, &objs), Decision::Deny);
//! assert_eq!(
//!     forbidden_message(&alice, &attrs),
//!     r#"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#
//! );
//! ```

mod aggregate;
mod bootstrap;
mod rules;

use serde_json::Value;

pub use bootstrap::{builtin_cluster_role_bindings, builtin_cluster_roles};

/// The group every authenticated user is in.
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// The group of requests without credentials.
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// Members are allowed everything, before RBAC is consulted.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// The user name of requests without credentials.
pub const ANONYMOUS: &str = "system:anonymous";

/// An authenticated identity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// A user as an authenticator hands it on: its groups plus
    /// `system:authenticated` (added once).
    pub fn authenticated(name: &str, groups: &[&str]) -> UserInfo {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        if !groups.iter().any(|g| g == ALL_AUTHENTICATED) {
            groups.push(ALL_AUTHENTICATED.to_string());
        }
        UserInfo {
            name: name.to_string(),
            groups,
        }
    }

    /// `system:anonymous` in `system:unauthenticated`.
    pub fn anonymous() -> UserInfo {
        UserInfo {
            name: ANONYMOUS.to_string(),
            groups: vec![ALL_UNAUTHENTICATED.to_string()],
        }
    }
}

/// What a request asks to do (authorizer.Attributes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attributes {
    pub verb: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    /// "" for cluster-scoped requests (and cluster-wide lists).
    pub namespace: String,
    pub name: String,
    /// The URL path, for non-resource requests.
    pub path: String,
    pub resource_request: bool,
}

impl Attributes {
    /// A resource request without a name or subresource.
    pub fn resource(verb: &str, api_group: &str, resource: &str, namespace: &str) -> Attributes {
        Attributes {
            verb: verb.to_string(),
            api_group: api_group.to_string(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            resource_request: true,
            ..Attributes::default()
        }
    }

    /// A non-resource request (e.g. `get` of `/healthz`).
    pub fn non_resource(verb: &str, path: &str) -> Attributes {
        Attributes {
            verb: verb.to_string(),
            path: path.to_string(),
            resource_request: false,
            ..Attributes::default()
        }
    }

    pub fn with_name(mut self, name: &str) -> Attributes {
        self.name = name.to_string();
        self
    }

    pub fn with_subresource(mut self, subresource: &str) -> Attributes {
        self.subresource = subresource.to_string();
        self
    }
}

/// The RBAC objects stored in the cluster, as JSON (rbac.authorization.k8s.io/v1).
/// Built-in ClusterRoles and ClusterRoleBindings are added automatically; a
/// stored object of the same name takes their place.
#[derive(Debug, Clone, Copy, Default)]
pub struct RbacObjects<'a> {
    pub roles: &'a [Value],
    pub cluster_roles: &'a [Value],
    pub role_bindings: &'a [Value],
    pub cluster_role_bindings: &'a [Value],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

/// A decision with the authorizer's reason: on Allow which binding allowed it
/// (`RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "alice"`),
/// on Deny the errors met while resolving the user's bindings
/// (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`) or "".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub decision: Decision,
    pub reason: String,
}

/// Authorize a request: `system:masters` members always, otherwise RBAC.
pub fn authorize(user: &UserInfo, attrs: &Attributes, objs: &RbacObjects) -> Decision {
    authorize_detailed(user, attrs, objs).decision
}

/// [`authorize`] with the reason the apiserver appends to a Forbidden message.
pub fn authorize_detailed(
    user: &UserInfo,
    attrs: &Attributes,
    objs: &RbacObjects,
) -> Authorization {
    if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
        return Authorization {
            decision: Decision::Allow,
            reason: String::new(),
        };
    }
    rules::rbac_authorize(user, attrs, objs)
}

/// The message of the 403 Status kube-apiserver returns, e.g.
/// `configmaps "x" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"`.
pub fn forbidden_message(user: &UserInfo, attrs: &Attributes) -> String {
    forbidden_message_with_reason(user, attrs, "")
}

/// [`forbidden_message`] with the authorizer's reason appended (`...: RBAC: ...`)
/// when it is not empty.
pub fn forbidden_message_with_reason(user: &UserInfo, attrs: &Attributes, reason: &str) -> String {
    let mut msg = user_cannot(user, attrs);
    if !reason.is_empty() {
        msg.push_str(": ");
        msg.push_str(reason);
    }
    // apierrors.NewForbidden with the request's group and resource (no subresource).
    let qualified = if attrs.api_group.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}.{}", attrs.resource, attrs.api_group)
    };
    if !attrs.resource_request || (attrs.api_group.is_empty() && attrs.resource.is_empty()) {
        format!("forbidden: {msg}")
    } else if attrs.name.is_empty() {
        format!("{qualified} is forbidden: {msg}")
    } else {
        format!("{qualified} {} is forbidden: {msg}", quote(&attrs.name))
    }
}

/// The `details` of the 403 Status: (group, kind) where kind is the resource
/// name, as apierrors.NewForbidden fills them.
pub fn forbidden_details(attrs: &Attributes) -> (String, String) {
    (attrs.api_group.clone(), attrs.resource.clone())
}

fn user_cannot(user: &UserInfo, attrs: &Attributes) -> String {
    let name = quote(&user.name);
    if !attrs.resource_request {
        return format!(
            "User {name} cannot {} path {}",
            attrs.verb,
            quote(&attrs.path)
        );
    }
    let mut resource = attrs.resource.clone();
    if !attrs.subresource.is_empty() {
        resource = format!("{resource}/{}", attrs.subresource);
    }
    if !attrs.namespace.is_empty() {
        format!(
            "User {name} cannot {} resource {} in API group {} in the namespace {}",
            attrs.verb,
            quote(&resource),
            quote(&attrs.api_group),
            quote(&attrs.namespace)
        )
    } else {
        format!(
            "User {name} cannot {} resource {} in API group {} at the cluster scope",
            attrs.verb,
            quote(&resource),
            quote(&attrs.api_group)
        )
    }
}

/// The user a ServiceAccount authenticates as: `system:serviceaccount:NS:NAME`
/// in `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`.
pub fn service_account_user(namespace: &str, name: &str) -> UserInfo {
    UserInfo {
        name: format!("system:serviceaccount:{namespace}:{name}"),
        groups: vec![
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{namespace}"),
            ALL_AUTHENTICATED.to_string(),
        ],
    }
}

/// Go's %q for the strings in these messages (strconv.Quote).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Two-level field access (cheaper than `Value::pointer`, which allocates).
pub(crate) trait At2 {
    fn at2(&self, a: &str, b: &str) -> Option<&Value>;
}

impl At2 for Value {
    fn at2(&self, a: &str, b: &str) -> Option<&Value> {
        self.get(a).and_then(|x| x.get(b))
    }
}
