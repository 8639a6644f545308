//! RBAC decisions and Forbidden messages, each asserted exactly.

use kube_rbac::*;
use serde_json::{Value, json};

fn role(ns: &str, name: &str, rules: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": name, "namespace": ns}, "rules": rules})
}

fn cluster_role(name: &str, labels: Value, rules: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels}, "rules": rules})
}

fn role_binding(ns: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": subjects})
}

fn cluster_role_binding(name: &str, role: &str, subjects: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": subjects})
}

fn user(name: &str) -> Value {
    json!([{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}])
}

#[test]
fn forbidden_messages_match_kube_apiserver() {
    let alice = UserInfo::authenticated("alice", &[]);
    let list = Attributes::resource("list", "", "configmaps", "default");
    assert_eq!(
        forbidden_message(&alice, &list),
        r#"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "default""#
    );
    let cluster = Attributes::resource("list", "apps", "deployments", "");
    assert_eq!(
        forbidden_message(&alice, &cluster),
        r#"deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" at the cluster scope"#
    );
    let named = Attributes::resource("get", "", "secrets", "flux-system").with_name("token");
    assert_eq!(
        forbidden_message(&alice, &named),
        r#"secrets "token" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "flux-system""#
    );
    let sub = Attributes::resource(
        "patch",
        "kustomize.toolkit.fluxcd.io",
        "kustomizations",
        "apps",
    )
    .with_name("infra")
    .with_subresource("status");
    assert_eq!(
        forbidden_message(&alice, &sub),
        r#"kustomizations.kustomize.toolkit.fluxcd.io "infra" is forbidden: User "alice" cannot patch resource "kustomizations/status" in API group "kustomize.toolkit.fluxcd.io" in the namespace "apps""#
    );
    let ns = Attributes::resource("get", "", "namespaces", "").with_name("kube-system");
    assert_eq!(
        forbidden_message(&alice, &ns),
        r#"namespaces "kube-system" is forbidden: User "alice" cannot get resource "namespaces" in API group "" at the cluster scope"#
    );
    let path = Attributes::non_resource("get", "/metrics");
    assert_eq!(
        forbidden_message(&alice, &path),
        r#"forbidden: User "alice" cannot get path "/metrics""#
    );
    let sa = service_account_user("flux-system", "kustomize-controller");
    let imp =
        Attributes::resource("impersonate", "", "serviceaccounts", "apps").with_name("deployer");
    assert_eq!(
        forbidden_message(&sa, &imp),
        r#"serviceaccounts "deployer" is forbidden: User "system:serviceaccount:flux-system:kustomize-controller" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "apps""#
    );
}

#[test]
fn system_masters_and_builtin_bindings() {
    let admin = UserInfo::authenticated("admin", &["system:masters"]);
    let any = Attributes::resource("delete", "apps", "deployments", "prod").with_name("x");
    assert_eq!(
        authorize(&admin, &any, &RbacObjects::default()),
        Decision::Allow
    );

    let alice = UserInfo::authenticated("alice", &[]);
    let objs = RbacObjects::default();
    assert_eq!(authorize(&alice, &any, &objs), Decision::Deny);
    // Bootstrap bindings: discovery and self-reviews for every authenticated user.
    assert_eq!(
        authorize(
            &alice,
            &Attributes::non_resource("get", "/apis/apps/v1"),
            &objs
        ),
        Decision::Allow
    );
    assert_eq!(
        authorize(&alice, &Attributes::non_resource("get", "/version"), &objs),
        Decision::Allow
    );
    assert_eq!(
        authorize(
            &alice,
            &Attributes::resource(
                "create",
                "authorization.k8s.io",
                "selfsubjectaccessreviews",
                ""
            ),
            &objs
        ),
        Decision::Allow
    );
    assert_eq!(
        authorize(&alice, &Attributes::non_resource("get", "/metrics"), &objs),
        Decision::Deny
    );
    // Anonymous users only see the public info.
    let anon = UserInfo::anonymous();
    assert_eq!(
        authorize(&anon, &Attributes::non_resource("get", "/healthz"), &objs),
        Decision::Allow
    );
    assert_eq!(
        authorize(&anon, &Attributes::non_resource("get", "/api"), &objs),
        Decision::Deny
    );
}

#[test]
fn role_binding_to_role_and_cluster_role_is_namespaced() {
    let roles = [role(
        "apps",
        "cm-reader",
        json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]),
    )];
    let bindings = [
        role_binding("apps", "alice-cm", "Role", "cm-reader", user("alice")),
        role_binding("apps", "bob-view", "ClusterRole", "view", user("bob")),
    ];
    let objs = RbacObjects {
        roles: &roles,
        role_bindings: &bindings,
        ..Default::default()
    };
    let alice = UserInfo::authenticated("alice", &[]);
    let bob = UserInfo::authenticated("bob", &[]);
    let list_cm = |ns: &str| Attributes::resource("list", "", "configmaps", ns);
    assert_eq!(authorize(&alice, &list_cm("apps"), &objs), Decision::Allow);
    assert_eq!(authorize(&alice, &list_cm("other"), &objs), Decision::Deny);
    assert_eq!(
        authorize(&alice, &list_cm(""), &objs),
        Decision::Deny,
        "cluster-wide list needs a ClusterRoleBinding"
    );
    assert_eq!(
        authorize(
            &alice,
            &Attributes::resource("delete", "", "configmaps", "apps"),
            &objs
        ),
        Decision::Deny
    );
    // view through a RoleBinding: reads in that namespace only, never secrets.
    assert_eq!(
        authorize(
            &bob,
            &Attributes::resource("watch", "apps", "deployments", "apps"),
            &objs
        ),
        Decision::Allow
    );
    assert_eq!(
        authorize(
            &bob,
            &Attributes::resource("get", "", "secrets", "apps"),
            &objs
        ),
        Decision::Deny
    );
    assert_eq!(
        authorize(
            &bob,
            &Attributes::resource("get", "apps", "deployments", "other"),
            &objs
        ),
        Decision::Deny
    );
}

#[test]
fn verbs_groups_resources_names_and_subresources() {
    let croles = [
        cluster_role(
            "star",
            json!({}),
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"]}]),
        ),
        cluster_role(
            "scale-only",
            json!({}),
            json!([{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "any-status",
            json!({}),
            json!([{"apiGroups": ["source.toolkit.fluxcd.io"], "resources": ["*/status"], "verbs": ["patch"]}]),
        ),
        cluster_role(
            "named",
            json!({}),
            json!([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["allowed"], "verbs": ["get"]}]),
        ),
        cluster_role(
            "urls",
            json!({}),
            json!([{"nonResourceURLs": ["/logs/*", "/exact"], "verbs": ["get"]}]),
        ),
    ];
    let crbs: Vec<Value> = ["star", "scale-only", "any-status", "named", "urls"]
        .iter()
        .map(|r| {
            cluster_role_binding(
                &format!("{r}-b"),
                r,
                json!([{"kind": "Group", "name": format!("g-{r}")}]),
            )
        })
        .collect();
    let objs = RbacObjects {
        cluster_roles: &croles,
        cluster_role_bindings: &crbs,
        ..Default::default()
    };
    let member = |g: &str| UserInfo::authenticated("u", &[&format!("g-{g}")]);

    let u = member("star");
    assert_eq!(
        authorize(
            &u,
            &Attributes::resource("get", "batch", "jobs", "x").with_name("j"),
            &objs
        ),
        Decision::Allow
    );
    assert_eq!(
        authorize(
            &u,
            &Attributes::resource("list", "batch", "jobs", "x"),
            &objs
        ),
        Decision::Deny
    );
    assert_eq!(
        authorize(
            &u,
            &Attributes::resource("get", "", "pods", "x").with_subresource("log"),
            &objs
        ),
        Decision::Allow,
        "resources: [*] covers subresources"
    );

    let u = member("scale-only");
    let scale =
        Attributes::resource("update", "apps", "deployments", "x").with_subresource("scale");
    assert_eq!(authorize(&u, &scale, &objs), Decision::Allow);
    assert_eq!(
        authorize(
            &u,
            &Attributes::resource("update", "apps", "deployments", "x"),
            &objs
        ),
        Decision::Deny
    );

    let u = member("any-status");
    let st = |res: &str| {
        Attributes::resource("patch", "source.toolkit.fluxcd.io", res, "x")
            .with_subresource("status")
    };
    assert_eq!(
        authorize(&u, &st("gitrepositories"), &objs),
        Decision::Allow
    );
    assert_eq!(authorize(&u, &st("buckets"), &objs), Decision::Allow);
    assert_eq!(
        authorize(
            &u,
            &Attributes::resource("patch", "source.toolkit.fluxcd.io", "buckets", "x"),
            &objs
        ),
        Decision::Deny
    );

    let u = member("named");
    let get = |n: &str| Attributes::resource("get", "", "secrets", "x").with_name(n);
    assert_eq!(authorize(&u, &get("allowed"), &objs), Decision::Allow);
    assert_eq!(authorize(&u, &get("other"), &objs), Decision::Deny);
    assert_eq!(
        authorize(&u, &Attributes::resource("get", "", "secrets", "x"), &objs),
        Decision::Deny
    );

    let u = member("urls");
    assert_eq!(
        authorize(&u, &Attributes::non_resource("get", "/logs/a/b"), &objs),
        Decision::Allow
    );
    assert_eq!(
        authorize(&u, &Attributes::non_resource("get", "/exact"), &objs),
        Decision::Allow
    );
    assert_eq!(
        authorize(&u, &Attributes::non_resource("get", "/exact/more"), &objs),
        Decision::Deny
    );
    assert_eq!(
        authorize(&u, &Attributes::non_resource("post", "/logs/a"), &objs),
        Decision::Deny
    );
}

#[test]
fn service_account_subjects() {
    let sa = service_account_user("flux-system", "helm-controller");
    assert_eq!(sa.name, "system:serviceaccount:flux-system:helm-controller");
    assert_eq!(
        sa.groups,
        vec![
            "system:serviceaccounts",
            "system:serviceaccounts:flux-system",
            "system:authenticated"
        ]
    );
    let bindings = [
        // Namespace left out: the RoleBinding's namespace applies.
        role_binding(
            "flux-system",
            "sa-edit",
            "ClusterRole",
            "edit",
            json!([{"kind": "ServiceAccount", "name": "helm-controller"}]),
        ),
    ];
    let crbs = [cluster_role_binding(
        "all-sa-view",
        "view",
        json!([{"kind": "Group", "name": "system:serviceaccounts:flux-system"}]),
    )];
    let objs = RbacObjects {
        role_bindings: &bindings,
        cluster_role_bindings: &crbs,
        ..Default::default()
    };
    assert_eq!(
        authorize(
            &sa,
            &Attributes::resource("create", "", "secrets", "flux-system"),
            &objs
        ),
        Decision::Allow
    );
    assert_eq!(
        authorize(
            &sa,
            &Attributes::resource("create", "", "secrets", "default"),
            &objs
        ),
        Decision::Deny
    );
    assert_eq!(
        authorize(
            &sa,
            &Attributes::resource("list", "", "configmaps", ""),
            &objs
        ),
        Decision::Allow
    );
    let other = service_account_user("default", "helm-controller");
    assert_eq!(
        authorize(
            &other,
            &Attributes::resource("create", "", "secrets", "flux-system"),
            &objs
        ),
        Decision::Deny
    );
    // A ClusterRoleBinding ServiceAccount subject needs its namespace.
    let crbs = [cluster_role_binding(
        "no-ns",
        "cluster-admin",
        json!([{"kind": "ServiceAccount", "name": "helm-controller"}]),
    )];
    let objs = RbacObjects {
        cluster_role_bindings: &crbs,
        ..Default::default()
    };
    assert_eq!(
        authorize(&sa, &Attributes::resource("get", "", "pods", "x"), &objs),
        Decision::Deny
    );
}

#[test]
fn builtin_roles_have_the_bootstrap_rules() {
    let roles = builtin_cluster_roles();
    let names: Vec<&str> = roles
        .iter()
        .map(|r| r["metadata"]["name"].as_str().unwrap())
        .collect();
    for n in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:basic-user",
        "system:discovery",
        "system:public-info-viewer",
    ] {
        assert!(names.contains(&n), "{n} missing");
    }
    let bob = UserInfo::authenticated("bob", &[]);
    let check = |role: &str, attrs: &Attributes| {
        let crbs = [cluster_role_binding("b", role, user("bob"))];
        authorize(
            &bob,
            attrs,
            &RbacObjects {
                cluster_role_bindings: &crbs,
                ..Default::default()
            },
        )
    };
    let a = |verb: &str, group: &str, res: &str| Attributes::resource(verb, group, res, "ns");
    assert_eq!(check("view", &a("list", "", "pods")), Decision::Allow);
    assert_eq!(check("view", &a("get", "", "secrets")), Decision::Deny);
    assert_eq!(
        check("view", &a("list", "coordination.k8s.io", "leases")),
        Decision::Deny
    );
    assert_eq!(
        check("view", &a("get", "rbac.authorization.k8s.io", "roles")),
        Decision::Deny
    );
    assert_eq!(
        check("edit", &a("create", "apps", "deployments")),
        Decision::Allow
    );
    assert_eq!(check("edit", &a("get", "", "secrets")), Decision::Allow);
    assert_eq!(
        check("edit", &a("watch", "coordination.k8s.io", "leases")),
        Decision::Allow
    );
    assert_eq!(
        check("edit", &a("impersonate", "", "serviceaccounts")),
        Decision::Allow
    );
    assert_eq!(
        check(
            "edit",
            &a("create", "rbac.authorization.k8s.io", "rolebindings")
        ),
        Decision::Deny
    );
    assert_eq!(
        check(
            "admin",
            &a("create", "rbac.authorization.k8s.io", "rolebindings")
        ),
        Decision::Allow
    );
    assert_eq!(
        check("admin", &a("list", "batch", "cronjobs")),
        Decision::Allow
    );
    assert_eq!(
        check("admin", &a("create", "", "namespaces")),
        Decision::Deny
    );
    assert_eq!(
        check(
            "admin",
            &a("list", "kustomize.toolkit.fluxcd.io", "kustomizations")
        ),
        Decision::Deny
    );
    assert_eq!(
        check(
            "cluster-admin",
            &a("list", "kustomize.toolkit.fluxcd.io", "kustomizations")
        ),
        Decision::Allow
    );
    assert_eq!(
        check(
            "cluster-admin",
            &Attributes::non_resource("delete", "/anything")
        ),
        Decision::Allow
    );
}

#[test]
fn aggregation_picks_up_labelled_cluster_roles() {
    // Flux installs roles like this one to extend the built-in edit/admin/view.
    let croles = [cluster_role(
        "flux-edit",
        json!({"rbac.authorization.k8s.io/aggregate-to-edit": "true", "rbac.authorization.k8s.io/aggregate-to-admin": "true"}),
        json!([{"apiGroups": ["kustomize.toolkit.fluxcd.io"], "resources": ["kustomizations"], "verbs": ["*"]}]),
    )];
    let bob = UserInfo::authenticated("bob", &[]);
    let attrs = Attributes::resource(
        "patch",
        "kustomize.toolkit.fluxcd.io",
        "kustomizations",
        "apps",
    );
    for role in ["edit", "admin"] {
        let rbs = [role_binding("apps", "b", "ClusterRole", role, user("bob"))];
        let objs = RbacObjects {
            cluster_roles: &croles,
            role_bindings: &rbs,
            ..Default::default()
        };
        assert_eq!(authorize(&bob, &attrs, &objs), Decision::Allow, "{role}");
    }
    let rbs = [role_binding(
        "apps",
        "b",
        "ClusterRole",
        "view",
        user("bob"),
    )];
    let objs = RbacObjects {
        cluster_roles: &croles,
        role_bindings: &rbs,
        ..Default::default()
    };
    assert_eq!(authorize(&bob, &attrs, &objs), Decision::Deny);
}

#[test]
fn missing_roles_are_reported_in_the_reason() {
    let bindings = [
        role_binding("apps", "b1", "Role", "gone", user("carol")),
        role_binding("apps", "b2", "ClusterRole", "also-gone", user("carol")),
        role_binding("apps", "b3", "ClusterRole", "also-gone", user("carol")),
    ];
    let objs = RbacObjects {
        role_bindings: &bindings,
        ..Default::default()
    };
    let carol = UserInfo::authenticated("carol", &[]);
    let attrs = Attributes::resource("get", "", "pods", "apps").with_name("p");
    let auth = authorize_detailed(&carol, &attrs, &objs);
    assert_eq!(auth.decision, Decision::Deny);
    assert_eq!(
        auth.reason,
        r#"RBAC: [role.rbac.authorization.k8s.io "gone" not found, clusterrole.rbac.authorization.k8s.io "also-gone" not found]"#
    );
    assert_eq!(
        forbidden_message_with_reason(&carol, &attrs, &auth.reason),
        r#"pods "p" is forbidden: User "carol" cannot get resource "pods" in API group "" in the namespace "apps": RBAC: [role.rbac.authorization.k8s.io "gone" not found, clusterrole.rbac.authorization.k8s.io "also-gone" not found]"#
    );
    let one = [role_binding("apps", "b1", "Role", "gone", user("carol"))];
    let auth = authorize_detailed(
        &carol,
        &attrs,
        &RbacObjects {
            role_bindings: &one,
            ..Default::default()
        },
    );
    assert_eq!(
        auth.reason,
        r#"RBAC: role.rbac.authorization.k8s.io "gone" not found"#
    );
}

#[test]
fn allow_reason_names_the_binding() {
    let bindings = [role_binding(
        "apps",
        "rb",
        "ClusterRole",
        "view",
        json!([{"kind": "ServiceAccount", "name": "sa"}]),
    )];
    let objs = RbacObjects {
        role_bindings: &bindings,
        ..Default::default()
    };
    let sa = service_account_user("apps", "sa");
    let auth = authorize_detailed(&sa, &Attributes::resource("get", "", "pods", "apps"), &objs);
    assert_eq!(auth.decision, Decision::Allow);
    assert_eq!(
        auth.reason,
        r#"RBAC: allowed by RoleBinding "rb/apps" of ClusterRole "view" to ServiceAccount "sa/apps""#
    );
}

#[test]
fn stored_builtin_replaces_the_default() {
    // A stored "view" without aggregation and without rules grants nothing.
    let croles = [
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "view"}, "rules": []}),
    ];
    let rbs = [role_binding(
        "apps",
        "b",
        "ClusterRole",
        "view",
        user("bob"),
    )];
    let objs = RbacObjects {
        cluster_roles: &croles,
        role_bindings: &rbs,
        ..Default::default()
    };
    let bob = UserInfo::authenticated("bob", &[]);
    assert_eq!(
        authorize(
            &bob,
            &Attributes::resource("get", "", "pods", "apps"),
            &objs
        ),
        Decision::Deny
    );
}

#[test]
fn impersonation_checks_use_the_same_rules_and_wording() {
    // The impersonation filter asks for verb "impersonate" on users, groups and serviceaccounts.
    let croles = [cluster_role(
        "impersonator",
        json!({}),
        json!([{"apiGroups": [""], "resources": ["users"], "resourceNames": ["bob"], "verbs": ["impersonate"]},
               {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"]}]),
    )];
    let crbs = [cluster_role_binding("imp", "impersonator", user("alice"))];
    let objs = RbacObjects {
        cluster_roles: &croles,
        cluster_role_bindings: &crbs,
        ..Default::default()
    };
    let alice = UserInfo::authenticated("alice", &[]);
    let as_user = |n: &str| Attributes::resource("impersonate", "", "users", "").with_name(n);
    assert_eq!(authorize(&alice, &as_user("bob"), &objs), Decision::Allow);
    assert_eq!(authorize(&alice, &as_user("carol"), &objs), Decision::Deny);
    assert_eq!(
        forbidden_message(&alice, &as_user("carol")),
        r#"users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope"#
    );
    let group = Attributes::resource("impersonate", "", "groups", "").with_name("system:masters");
    assert_eq!(authorize(&alice, &group, &objs), Decision::Allow);
}
