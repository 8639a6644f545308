//! Conformance with kube-rs: each test asserts the answers a real API server gives.

mod common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::core::DynamicObject;
use kube::runtime::watcher;
use kube::{Client, Error};
use kube_emulator::EmulatorConfig;
use serde_json::{Value, json};

fn api_err(e: Error) -> (u16, String, String) {
    match e {
        Error::Api(s) => (s.code, s.reason, s.message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn cm(name: &str, data: Value) -> ConfigMap {
    serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}),
    )
    .unwrap()
}

fn rv(m: &impl kube::Resource) -> u64 {
    m.meta()
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn crud_conflicts_and_status_bodies() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let a = cms
        .create(&PostParams::default(), &cm("a", json!({"k": "v"})))
        .await
        .unwrap();
    assert!(a.metadata.uid.is_some() && a.metadata.creation_timestamp.is_some());
    let (code, reason, msg) = api_err(
        cms.create(&PostParams::default(), &cm("a", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code, reason.as_str(), msg.as_str()),
        (409, "AlreadyExists", "configmaps \"a\" already exists")
    );
    let (code, reason, msg) = api_err(cms.get("missing").await.unwrap_err());
    assert_eq!(
        (code, reason.as_str(), msg.as_str()),
        (404, "NotFound", "configmaps \"missing\" not found")
    );

    let mut newer = a.clone();
    newer.data = Some([("k".to_string(), "w".to_string())].into());
    let b = cms
        .replace("a", &PostParams::default(), &newer)
        .await
        .unwrap();
    assert!(rv(&b) > rv(&a));
    let (code, reason, msg) = api_err(
        cms.replace("a", &PostParams::default(), &newer)
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
    );
    // An update that changes nothing keeps the resourceVersion.
    let same = cms.replace("a", &PostParams::default(), &b).await.unwrap();
    assert_eq!(rv(&same), rv(&b));

    let generated: ConfigMap =
        serde_json::from_value(json!({"metadata": {"generateName": "gen-"}})).unwrap();
    let g = cms
        .create(&PostParams::default(), &generated)
        .await
        .unwrap();
    let name = g.metadata.name.unwrap();
    assert!(name.starts_with("gen-") && name.len() == 9, "{name}");

    let (code, reason, msg) = api_err(
        cms.create(&PostParams::default(), &cm("Bad_Name", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert!(msg.starts_with("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "{msg}");

    let other_ns: Api<ConfigMap> = Api::namespaced(emu.client().await.unwrap(), "nowhere");
    let (code, _, msg) = api_err(
        other_ns
            .create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (code, msg.as_str()),
        (404, "namespaces \"nowhere\" not found")
    );

    // Secrets fold stringData into data.
    let secrets: Api<Secret> = Api::default_namespaced(emu.client().await.unwrap());
    let s: Secret =
        serde_json::from_value(json!({"metadata": {"name": "s"}, "stringData": {"user": "admin"}}))
            .unwrap();
    let s = secrets.create(&PostParams::default(), &s).await.unwrap();
    assert_eq!(s.data.unwrap()["user"].0, b"admin");
    assert!(s.string_data.is_none());
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    emu.stop().await;
}

#[tokio::test]
async fn unauthenticated_requests_get_401() {
    let emu = common::start().await;
    let client = emu.client_with_token("not-a-token").await.unwrap();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    let (code, reason, msg) = api_err(cms.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(
        (code, reason.as_str(), msg.as_str()),
        (401, "Unauthorized", "Unauthorized")
    );
    emu.stop().await;
}

#[tokio::test]
async fn list_selectors_and_pagination() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    for i in 0..25 {
        let mut c = cm(&format!("cm-{i:02}"), json!({}));
        let tier = if i % 2 == 0 { "even" } else { "odd" };
        c.metadata.labels = Some(
            [
                ("tier".to_string(), tier.to_string()),
                ("n".to_string(), i.to_string()),
            ]
            .into(),
        );
        cms.create(&PostParams::default(), &c).await.unwrap();
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut lp = ListParams::default().limit(10);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = cms.list(&lp).await.unwrap();
        pages += 1;
        if pages == 1 {
            assert_eq!(page.metadata.remaining_item_count, Some(15));
        }
        names.extend(page.items.iter().map(|c| c.metadata.name.clone().unwrap()));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 25);
    assert!(names.windows(2).all(|w| w[0] < w[1]));

    let count = |sel: &'static str| {
        let cms = cms.clone();
        async move {
            cms.list(&ListParams::default().labels(sel))
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(count("tier=even").await, 13);
    assert_eq!(count("tier!=even").await, 12);
    assert_eq!(count("n in (1,2,3)").await, 3);
    assert_eq!(count("n notin (1,2,3),tier=odd").await, 10);
    assert_eq!(count("tier").await, 25);
    assert_eq!(count("!tier").await, 0);
    let one = cms
        .list(&ListParams::default().fields("metadata.name=cm-07"))
        .await
        .unwrap();
    assert_eq!(one.items.len(), 1);
    let not_one = cms
        .list(&ListParams::default().fields("metadata.name!=cm-07,metadata.namespace=default"))
        .await
        .unwrap();
    assert_eq!(not_one.items.len(), 24);
    let (code, _, _) = api_err(
        cms.list(&ListParams::default().labels("a in b"))
            .await
            .unwrap_err(),
    );
    assert_eq!(code, 400);
    emu.stop().await;
}

#[tokio::test]
async fn watch_resume_bookmarks_and_gone() {
    let emu = common::start_with(EmulatorConfig {
        bookmark_interval: Duration::from_millis(100),
        watch_history: 5,
        ..Default::default()
    })
    .await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let first = cms
        .create(&PostParams::default(), &cm("w0", json!({})))
        .await
        .unwrap();

    // From a resourceVersion: exactly the later changes, in order, then a bookmark.
    let stream = cms
        .watch(&WatchParams::default().timeout(10), &rv(&first).to_string())
        .await
        .unwrap();
    let mut stream = stream.boxed();
    cms.create(&PostParams::default(), &cm("w1", json!({})))
        .await
        .unwrap();
    cms.patch(
        "w1",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"a": "b"}})),
    )
    .await
    .unwrap();
    cms.delete("w1", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    let mut last_rv = 0;
    while seen.len() < 4 {
        match stream.try_next().await.unwrap().expect("stream open") {
            WatchEvent::Added(c) => seen.push(format!("ADDED {}", c.metadata.name.unwrap())),
            WatchEvent::Modified(c) => seen.push(format!("MODIFIED {}", c.metadata.name.unwrap())),
            WatchEvent::Deleted(c) => seen.push(format!("DELETED {}", c.metadata.name.unwrap())),
            WatchEvent::Bookmark(b) => {
                let r: u64 = b.metadata.resource_version.parse().unwrap();
                assert!(r >= last_rv);
                last_rv = r;
                if seen.len() == 3 {
                    seen.push("BOOKMARK".into());
                }
            }
            WatchEvent::Error(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(
        seen,
        vec!["ADDED w1", "MODIFIED w1", "DELETED w1", "BOOKMARK"]
    );

    // History is bounded: resuming from a compacted resourceVersion is 410 Gone.
    for i in 0..10 {
        cms.create(&PostParams::default(), &cm(&format!("x{i}"), json!({})))
            .await
            .unwrap();
    }
    let mut stream = cms
        .watch(&WatchParams::default(), &rv(&first).to_string())
        .await
        .unwrap()
        .boxed();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => {
            assert_eq!((e.code, e.reason.as_str()), (410, "Expired"));
            assert!(
                e.message
                    .starts_with(&format!("too old resource version: {}", rv(&first))),
                "{}",
                e.message
            );
        }
        other => panic!("expected 410, got {other:?}"),
    }
    emu.stop().await;
}

#[tokio::test]
async fn watcher_lists_then_follows_and_recovers_from_gone() {
    let emu = common::start_with(EmulatorConfig {
        watch_history: 3,
        ..Default::default()
    })
    .await;
    let client = emu.client().await.unwrap();
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    cms.create(&PostParams::default(), &cm("pre", json!({})))
        .await
        .unwrap();
    let mut events = watcher(cms.clone(), watcher::Config::default()).boxed();
    let mut init = Vec::new();
    loop {
        match events.try_next().await.unwrap().unwrap() {
            watcher::Event::Init => {}
            watcher::Event::InitApply(c) => init.push(c.metadata.name.unwrap()),
            watcher::Event::InitDone => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(init, vec!["pre"]);
    cms.create(&PostParams::default(), &cm("live", json!({})))
        .await
        .unwrap();
    cms.delete("pre", &DeleteParams::default()).await.unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        match events.try_next().await.unwrap().unwrap() {
            watcher::Event::Apply(c) => got.push(format!("apply {}", c.metadata.name.unwrap())),
            watcher::Event::Delete(c) => got.push(format!("delete {}", c.metadata.name.unwrap())),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got, vec!["apply live", "delete pre"]);
    emu.stop().await;
}

#[tokio::test]
async fn server_side_apply_conflicts_force_and_field_removal() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let applied = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": data});
    let a = cms
        .patch(
            "ssa",
            &PatchParams::apply("alpha"),
            &Patch::Apply(applied(json!({"x": "1", "y": "1"}))),
        )
        .await
        .unwrap();
    let mf = a.metadata.managed_fields.unwrap();
    assert_eq!(mf[0].manager.as_deref(), Some("alpha"));
    assert_eq!(mf[0].operation.as_deref(), Some("Apply"));

    let (code, reason, msg) = api_err(
        cms.patch(
            "ssa",
            &PatchParams::apply("beta"),
            &Patch::Apply(applied(json!({"x": "2"}))),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        "Apply failed with 1 conflict: conflict with \"alpha\": .data.x"
    );
    // Same value: shared ownership, no conflict.
    cms.patch(
        "ssa",
        &PatchParams::apply("beta"),
        &Patch::Apply(applied(json!({"y": "1"}))),
    )
    .await
    .unwrap();
    let forced = cms
        .patch(
            "ssa",
            &PatchParams::apply("beta").force(),
            &Patch::Apply(applied(json!({"x": "2", "y": "1"}))),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["x"], "2");

    // alpha stops applying y (still owned by beta: kept) and x (now beta's): nothing removed.
    let after = cms
        .patch(
            "ssa",
            &PatchParams::apply("alpha"),
            &Patch::Apply(applied(json!({}))),
        )
        .await
        .unwrap();
    assert_eq!(after.data.clone().unwrap().len(), 2);
    // beta stops applying y: nobody owns it any more, so it is removed.
    let after = cms
        .patch(
            "ssa",
            &PatchParams::apply("beta"),
            &Patch::Apply(applied(json!({"x": "2"}))),
        )
        .await
        .unwrap();
    assert_eq!(after.data.unwrap().keys().collect::<Vec<_>>(), vec!["x"]);

    let (code, _, msg) = api_err(
        cms.patch(
            "ssa",
            &PatchParams::default(),
            &Patch::Apply(applied(json!({}))),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(code, 422);
    assert!(msg.contains("fieldManager: Required value"), "{msg}");
    emu.stop().await;
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let mut c = cm("fin", json!({}));
    c.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    cms.create(&PostParams::default(), &c).await.unwrap();
    let res = cms.delete("fin", &DeleteParams::default()).await.unwrap();
    let held = res.left().expect("a pending deletion returns the object");
    assert!(held.metadata.deletion_timestamp.is_some());
    assert!(cms.get("fin").await.is_ok());
    let (code, _, msg) = api_err(
        cms.patch(
            "fin",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": ["example.com/hold", "new"]}})),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(code, 403);
    assert!(
        msg.contains("no new finalizers can be added if the object is being deleted"),
        "{msg}"
    );
    cms.patch(
        "fin",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    let (code, _, _) = api_err(cms.get("fin").await.unwrap_err());
    assert_eq!(code, 404);

    // Preconditions.
    let c = cms
        .create(&PostParams::default(), &cm("pre", json!({})))
        .await
        .unwrap();
    let dp = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            uid: Some("other".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    let (code, reason, msg) = api_err(cms.delete("pre", &dp).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        msg,
        format!(
            "Operation cannot be fulfilled on configmaps \"pre\": Precondition failed: UID in precondition: other, UID in object meta: {}",
            c.metadata.uid.unwrap()
        )
    );
    emu.stop().await;
}

#[tokio::test]
async fn garbage_collection_foreground_and_background() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let owner = cms
        .create(&PostParams::default(), &cm("owner", json!({})))
        .await
        .unwrap();
    let owned = |name: &str| {
        let mut c = cm(name, json!({}));
        c.metadata.owner_references = Some(vec![serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid.clone().unwrap(), "blockOwnerDeletion": true
        })).unwrap()]);
        c
    };
    cms.create(&PostParams::default(), &owned("child"))
        .await
        .unwrap();
    let res = cms
        .delete("owner", &DeleteParams::foreground())
        .await
        .unwrap();
    let pending = res.left().expect("foreground deletion is pending");
    assert_eq!(
        pending.metadata.finalizers,
        Some(vec!["foregroundDeletion".to_string()])
    );
    common::eventually(10, || async {
        cms.get("owner").await.is_err().then_some(())
    })
    .await;
    assert!(
        cms.get("child").await.is_err(),
        "the dependent is gone before the owner"
    );

    let owner = cms
        .create(&PostParams::default(), &cm("owner", json!({})))
        .await
        .unwrap();
    let mut c = cm("child2", json!({}));
    c.metadata.owner_references = Some(vec![serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid.clone().unwrap()
    })).unwrap()]);
    cms.create(&PostParams::default(), &c).await.unwrap();
    cms.delete("owner", &DeleteParams::background())
        .await
        .unwrap();
    common::eventually(10, || async {
        cms.get("child2").await.is_err().then_some(())
    })
    .await;
    emu.stop().await;
}

#[tokio::test]
async fn status_subresource_and_generation() {
    let emu = common::start_with(EmulatorConfig {
        workload_simulator: false,
        ..Default::default()
    })
    .await;
    let deploys: Api<Deployment> = Api::default_namespaced(emu.client().await.unwrap());
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "d"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}},
        "status": {"replicas": 99}
    })).unwrap();
    let d = deploys.create(&PostParams::default(), &d).await.unwrap();
    assert_eq!(d.metadata.generation, Some(1));
    assert!(d.status.is_none(), "status is dropped on create");
    let s = deploys
        .patch_status(
            "d",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"replicas": 1}, "spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    assert_eq!(s.metadata.generation, Some(1));
    assert_eq!(
        s.spec.unwrap().replicas,
        Some(1),
        "the status endpoint ignores spec"
    );
    assert_eq!(s.status.unwrap().replicas, Some(1));
    let m = deploys
        .patch(
            "d",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"replicas": 7}, "metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap();
    assert_eq!(
        m.metadata.generation,
        Some(1),
        "metadata changes do not bump generation"
    );
    assert_eq!(
        m.status.unwrap().replicas,
        Some(1),
        "the main endpoint ignores status"
    );
    let m = deploys
        .patch(
            "d",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .unwrap();
    assert_eq!(m.metadata.generation, Some(2));
    emu.stop().await;
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let created = cms.create(&pp, &cm("dry", json!({}))).await.unwrap();
    assert_eq!(created.metadata.name.as_deref(), Some("dry"));
    assert!(cms.get("dry").await.is_err());
    cms.create(&PostParams::default(), &cm("dry", json!({"a": "1"})))
        .await
        .unwrap();
    let patched = cms
        .patch(
            "dry",
            &PatchParams::default().dry_run(),
            &Patch::Merge(json!({"data": {"a": "2"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap()["a"], "2");
    let applied = cms
        .patch("dry", &PatchParams::apply("m").force().dry_run(), &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry"}, "data": {"a": "3"}})))
        .await
        .unwrap();
    assert_eq!(applied.data.unwrap()["a"], "3");
    cms.delete("dry", &DeleteParams::default().dry_run())
        .await
        .unwrap();
    assert_eq!(cms.get("dry").await.unwrap().data.unwrap()["a"], "1");
    emu.stop().await;
}

const CRD: &str = r#"{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.example.com"},
  "spec": {"group": "example.com", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
    "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
      "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["size"], "properties": {
          "size": {"type": "integer", "minimum": 1},
          "color": {"type": "string", "enum": ["red", "blue"], "default": "red"}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}}"#;

#[tokio::test]
async fn crds_serve_prune_default_validate_and_clean_up() {
    let emu = common::start().await;
    let client: Client = emu.client().await.unwrap();
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> = Api::all(client.clone());
    let crd = crds
        .create(&PostParams::default(), &serde_json::from_str(CRD).unwrap())
        .await
        .unwrap();
    let established = crd
        .status
        .unwrap()
        .conditions
        .unwrap()
        .iter()
        .any(|c| c.type_ == "Established" && c.status == "True");
    assert!(established);
    let gvk = kube::api::GroupVersionKind::gvk("example.com", "v1", "Widget");
    let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let w: DynamicObject = serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 2, "extra": true}})).unwrap();
    let w = widgets.create(&PostParams::default(), &w).await.unwrap();
    assert_eq!(
        w.data["spec"],
        json!({"size": 2, "color": "red"}),
        "pruned and defaulted"
    );
    assert_eq!(w.metadata.generation, Some(1));

    let bad: DynamicObject = serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "bad"}, "spec": {"size": 0, "color": "green"}})).unwrap();
    let e = widgets
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err();
    let Error::Api(status) = e else { panic!() };
    assert_eq!(status.code, 422);
    let causes = status.details.unwrap().causes;
    let fields: Vec<&str> = causes.iter().map(|c| c.field.as_str()).collect();
    assert!(
        fields.contains(&"spec.size") && fields.contains(&"spec.color"),
        "{causes:?}"
    );
    assert!(
        status
            .message
            .starts_with("Widget.example.com \"bad\" is invalid: ["),
        "{}",
        status.message
    );

    let s = widgets
        .patch_status(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": true}})),
        )
        .await
        .unwrap();
    assert_eq!(s.metadata.generation, Some(1));
    let (code, _, _) = api_err(
        widgets
            .patch(
                "w",
                &PatchParams::default(),
                &Patch::Strategic(json!({"spec": {"size": 3}})),
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(
        code, 415,
        "custom resources do not take strategic merge patches"
    );

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    common::eventually(10, || async {
        crds.get("widgets.example.com").await.is_err().then_some(())
    })
    .await;
    let (code, _, _) = api_err(widgets.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(code, 404);
    // Recreating the CRD serves an empty collection: its objects were deleted with it.
    crds.create(&PostParams::default(), &serde_json::from_str(CRD).unwrap())
        .await
        .unwrap();
    assert!(
        widgets
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    emu.stop().await;
}

#[tokio::test]
async fn rbac_allows_denies_and_guards_impersonation() {
    let tokens = kube_emulator::parse_tokens(
        "alice-token,alice,1,\"devs\"\nsa-token,system:serviceaccount:default:bot,2\n",
        "inline",
    )
    .unwrap();
    let emu = common::start_with(EmulatorConfig {
        tokens,
        ..Default::default()
    })
    .await;
    let admin = emu.client().await.unwrap();
    let apply = |obj: Value| {
        let admin = admin.clone();
        async move {
            let gvk = kube::api::GroupVersionKind::gvk(
                "rbac.authorization.k8s.io",
                "v1",
                obj["kind"].as_str().unwrap(),
            );
            let plural = format!("{}s", obj["kind"].as_str().unwrap().to_lowercase());
            let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, &plural);
            let api: Api<DynamicObject> = Api::namespaced_with(admin, "default", &ar);
            let name = obj["metadata"]["name"].as_str().unwrap().to_string();
            api.patch(&name, &PatchParams::apply("test"), &Patch::Apply(obj))
                .await
                .unwrap();
        }
    };
    apply(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "cm-reader", "namespace": "default"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]})).await;
    apply(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "devs-read", "namespace": "default"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "cm-reader"},
        "subjects": [{"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"}, {"kind": "ServiceAccount", "name": "bot", "namespace": "default"}]})).await;

    let alice = emu.client_with_token("alice-token").await.unwrap();
    let cms: Api<ConfigMap> = Api::default_namespaced(alice.clone());
    cms.list(&ListParams::default()).await.unwrap();
    let (code, reason, msg) = api_err(
        cms.create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        msg,
        "configmaps is forbidden: User \"alice\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
    let secrets: Api<Secret> = Api::default_namespaced(alice.clone());
    let (code, _, msg) = api_err(secrets.get("s").await.unwrap_err());
    assert_eq!(code, 403);
    assert_eq!(
        msg,
        "secrets \"s\" is forbidden: User \"alice\" cannot get resource \"secrets\" in API group \"\" in the namespace \"default\""
    );

    let bot: Api<ConfigMap> =
        Api::default_namespaced(emu.client_with_token("sa-token").await.unwrap());
    bot.list(&ListParams::default()).await.unwrap();

    // The admin may impersonate; the impersonated user's permissions apply.
    let mut cfg = emu.config_with_token(emu.admin_token()).await.unwrap();
    cfg.auth_info.impersonate = Some("alice".into());
    cfg.auth_info.impersonate_groups = Some(vec!["devs".into()]);
    let as_alice: Api<ConfigMap> = Api::default_namespaced(Client::try_from(cfg).unwrap());
    as_alice.list(&ListParams::default()).await.unwrap();
    let (code, _, msg) = api_err(
        as_alice
            .create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap_err(),
    );
    assert_eq!(code, 403);
    assert!(
        msg.contains("User \"alice\" cannot create resource \"configmaps\""),
        "{msg}"
    );

    // Alice may not impersonate.
    let mut cfg = emu.config_with_token("alice-token").await.unwrap();
    cfg.auth_info.impersonate = Some("bob".into());
    let as_bob: Api<ConfigMap> = Api::default_namespaced(Client::try_from(cfg).unwrap());
    let (code, _, msg) = api_err(as_bob.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(code, 403);
    assert!(msg.starts_with("users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"), "{msg}");
    emu.stop().await;
}

#[tokio::test]
async fn persistence_keeps_objects_and_resource_versions() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || EmulatorConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let emu = common::start_with(cfg()).await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    cms.create(&PostParams::default(), &cm("keep", json!({"a": "1"})))
        .await
        .unwrap();
    let gone = cms
        .create(&PostParams::default(), &cm("gone", json!({})))
        .await
        .unwrap();
    cms.delete("gone", &DeleteParams::default()).await.unwrap();
    emu.stop().await;

    let emu = common::start_with(cfg()).await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    assert_eq!(cms.get("keep").await.unwrap().data.unwrap()["a"], "1");
    assert!(cms.get("gone").await.is_err());
    let next = cms
        .create(&PostParams::default(), &cm("next", json!({})))
        .await
        .unwrap();
    assert!(
        rv(&next) > rv(&gone) + 1,
        "resourceVersions keep increasing across restarts"
    );
    emu.stop().await;
}

#[tokio::test]
async fn workload_simulator_rolls_out_and_fails_on_fail_tag() {
    let emu = common::start_with(EmulatorConfig {
        workload_delay: Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    let deploys: Api<Deployment> = Api::default_namespaced(emu.client().await.unwrap());
    let dep = |name: &str, image: &str| -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {"replicas": 3, "progressDeadlineSeconds": 1, "selector": {"matchLabels": {"a": name}},
                "template": {"metadata": {"labels": {"a": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}}
        }))
        .unwrap()
    };
    deploys
        .create(&PostParams::default(), &dep("good", "app:1.0"))
        .await
        .unwrap();
    deploys
        .create(&PostParams::default(), &dep("bad", "app:fail"))
        .await
        .unwrap();
    let good = common::eventually(10, || async {
        let d = deploys.get("good").await.unwrap();
        let s = d.status.clone()?;
        (s.observed_generation == Some(1) && s.available_replicas == Some(3)).then_some(s)
    })
    .await;
    assert_eq!(
        (good.ready_replicas, good.updated_replicas, good.replicas),
        (Some(3), Some(3), Some(3))
    );
    let reason = common::eventually(10, || async {
        let d = deploys.get("bad").await.unwrap();
        let conds = d.status?.conditions?;
        let p = conds.iter().find(|c| c.type_ == "Progressing")?;
        (p.status == "False").then(|| p.reason.clone().unwrap_or_default())
    })
    .await;
    assert_eq!(reason, "ProgressDeadlineExceeded");
    let bad = deploys.get("bad").await.unwrap().status.unwrap();
    assert_eq!(bad.available_replicas, None);

    // A spec change is observed again: generation 2 rolls out.
    deploys
        .patch(
            "good",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .unwrap();
    common::eventually(10, || async {
        let s = deploys.get("good").await.unwrap().status?;
        (s.observed_generation == Some(2) && s.available_replicas == Some(1)).then_some(())
    })
    .await;
    emu.stop().await;
}

#[tokio::test]
async fn watcher_with_streaming_lists_gets_initial_events_then_changes() {
    let emu = common::start().await;
    let cms: Api<ConfigMap> = Api::default_namespaced(emu.client().await.unwrap());
    cms.create(&PostParams::default(), &cm("one", json!({})))
        .await
        .unwrap();
    cms.create(&PostParams::default(), &cm("two", json!({})))
        .await
        .unwrap();
    let mut events = watcher(cms.clone(), watcher::Config::default().streaming_lists()).boxed();
    let mut init = Vec::new();
    loop {
        match events.try_next().await.unwrap().unwrap() {
            watcher::Event::Init => {}
            watcher::Event::InitApply(c) => init.push(c.metadata.name.unwrap()),
            watcher::Event::InitDone => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    init.sort();
    assert_eq!(init, vec!["one", "two"]);
    cms.create(&PostParams::default(), &cm("three", json!({})))
        .await
        .unwrap();
    match events.try_next().await.unwrap().unwrap() {
        watcher::Event::Apply(c) => assert_eq!(c.metadata.name.as_deref(), Some("three")),
        other => panic!("unexpected {other:?}"),
    }
    emu.stop().await;
}
