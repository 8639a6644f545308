//! Every official Flux CRD (../shared/reference/flux-crds): the schema builds,
//! every x-kubernetes-validations rule is inside the evaluator's subset, and
//! valid and invalid objects get the apiserver's answers.

use std::path::PathBuf;

use kube_schema::StructuralSchema;
use serde_json::{Value, json};

fn crd_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/flux-crds"
    ));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPING Flux CRD tests: {} is absent (the ../shared folder is not next to the repository)",
            dir.display()
        );
        None
    }
}

fn load_crd(dir: &std::path::Path, file: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(file)).expect("read CRD");
    serde_saphyr::from_str::<Value>(&text).expect("parse CRD YAML")
}

fn schema_of(dir: &std::path::Path, file: &str) -> (StructuralSchema, String) {
    let crd = load_crd(dir, file);
    let version = &crd["spec"]["versions"][0];
    let api_version = format!(
        "{}/{}",
        crd["spec"]["group"].as_str().unwrap(),
        version["name"].as_str().unwrap()
    );
    (
        StructuralSchema::new(&version["schema"]["openAPIV3Schema"]).expect("schema builds"),
        api_version,
    )
}

/// prune + default + validate, the apiserver's order on create; returns
/// (unknown fields, causes as "field: message").
fn admit(schema: &StructuralSchema, obj: &mut Value) -> (Vec<String>, Vec<String>) {
    let unknown = schema.prune(obj);
    schema.default(obj);
    let causes = schema
        .validate(obj)
        .iter()
        .map(ToString::to_string)
        .collect();
    (unknown, causes)
}

#[test]
fn every_flux_crd_builds_and_has_no_skipped_rules() {
    let Some(dir) = crd_dir() else { return };
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let crd = load_crd(&dir, path.file_name().unwrap().to_str().unwrap());
        for version in crd["spec"]["versions"].as_array().unwrap() {
            let schema = StructuralSchema::new(&version["schema"]["openAPIV3Schema"])
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(schema.skipped_rules(), vec![], "{}", path.display());
            // An object with only type meta and metadata passes the root schema
            // (spec is optional at the root in every Flux CRD) and keeps its meta fields.
            let mut obj =
                json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "n"}, "bogus": 1});
            assert_eq!(schema.prune(&mut obj), vec!["bogus".to_string()]);
            assert_eq!(
                obj,
                json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "n"}})
            );
            count += 1;
        }
    }
    assert!(count >= 15, "expected the 16 Flux CRDs, found {count}");
}

#[test]
fn gitrepository_valid_and_invalid() {
    let Some(dir) = crd_dir() else { return };
    let (schema, api_version) = schema_of(&dir, "source.toolkit.fluxcd.io_gitrepositories.yaml");
    assert_eq!(api_version, "source.toolkit.fluxcd.io/v1");
    let base = json!({"apiVersion": api_version, "kind": "GitRepository", "metadata": {"name": "app", "namespace": "flux-system"}});

    let mut ok = base.clone();
    ok["spec"] = json!({"url": "https://github.com/fluxcd/flux2", "interval": "1m", "ref": {"branch": "main"}});
    let (unknown, causes) = admit(&schema, &mut ok);
    assert_eq!((unknown, causes), (vec![], vec![]));
    assert_eq!(ok["spec"]["timeout"], "60s", "default applied");

    let mut bad = base.clone();
    bad["spec"] = json!({"url": "ftp://x", "interval": "abc", "provider": "gitlab", "foo": 1,
        "secretRef": {}, "status": {}});
    let (unknown, causes) = admit(&schema, &mut bad);
    assert_eq!(unknown, vec!["spec.foo", "spec.status"]);
    assert_eq!(
        causes,
        vec![
            r#"spec.interval: Invalid value: "abc": spec.interval in body should match '^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$'"#,
            r#"spec.provider: Unsupported value: "gitlab": supported values: "generic", "aws", "azure", "github""#,
            "spec.secretRef.name: Required value",
            r#"spec.url: Invalid value: "ftp://x": spec.url in body should match '^(http|https|ssh)://.*$'"#,
            r#"<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"#,
        ]
    );

    let mut missing = base.clone();
    missing["spec"] = json!({});
    let (_, causes) = admit(&schema, &mut missing);
    assert_eq!(
        causes[..2],
        ["spec.interval: Required value", "spec.url: Required value"]
    );

    let mut cel = base.clone();
    cel["spec"] = json!({"url": "https://x/y", "interval": "5m", "serviceAccountName": "sa"});
    let (_, causes) = admit(&schema, &mut cel);
    assert_eq!(
        causes,
        vec![
            r#"spec: Invalid value: "object": serviceAccountName can only be set when provider is 'azure' or 'aws'"#
        ]
    );
    cel["spec"]["provider"] = json!("azure");
    assert_eq!(admit(&schema, &mut cel).1, Vec::<String>::new());
}

#[test]
fn kustomization_kubeconfig_rules_and_types() {
    let Some(dir) = crd_dir() else { return };
    let (schema, api_version) = schema_of(&dir, "kustomize.toolkit.fluxcd.io_kustomizations.yaml");
    let mut obj = json!({"apiVersion": api_version, "kind": "Kustomization", "metadata": {"name": "k"},
        "spec": {"interval": "10m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "app"},
            "kubeConfig": {"secretRef": {"name": "a"}, "configMapRef": {"name": "b"}}}});
    let (unknown, causes) = admit(&schema, &mut obj);
    assert!(unknown.is_empty());
    assert_eq!(
        causes,
        vec![
            r#"spec.kubeConfig: Invalid value: "object": exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified"#
        ]
    );

    obj["spec"]["kubeConfig"] = json!({});
    obj["spec"]["prune"] = json!("yes");
    let (_, causes) = admit(&schema, &mut obj);
    assert_eq!(
        causes,
        vec![
            r#"spec.prune: Invalid value: "string": spec.prune in body must be of type boolean: "string""#,
            r#"<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"#,
        ]
    );

    obj["spec"]["prune"] = json!(false);
    obj["spec"]["sourceRef"]["kind"] = json!("HelmChart");
    let (_, causes) = admit(&schema, &mut obj);
    assert_eq!(
        causes[0],
        r#"spec.sourceRef.kind: Unsupported value: "HelmChart": supported values: "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact""#
    );
}

#[test]
fn helmrelease_chart_or_chartref() {
    let Some(dir) = crd_dir() else { return };
    let (schema, api_version) = schema_of(&dir, "helm.toolkit.fluxcd.io_helmreleases.yaml");
    let mut obj = json!({"apiVersion": api_version, "kind": "HelmRelease", "metadata": {"name": "h"},
        "spec": {"interval": "5m"}});
    let (_, causes) = admit(&schema, &mut obj);
    assert_eq!(
        causes,
        vec![r#"spec: Invalid value: "object": either chart or chartRef must be set"#]
    );
    obj["spec"]["chartRef"] = json!({"kind": "OCIRepository", "name": "podinfo"});
    obj["spec"]["values"] = json!({"any": {"thing": [1, 2]}});
    let (unknown, causes) = admit(&schema, &mut obj);
    assert_eq!((unknown, causes), (vec![], vec![]));
    assert_eq!(
        obj["spec"]["values"],
        json!({"any": {"thing": [1, 2]}}),
        "values preserve unknown fields"
    );
}

#[test]
fn receiver_bucket_artifactgenerator_rules() {
    let Some(dir) = crd_dir() else { return };
    let (schema, v) = schema_of(&dir, "notification.toolkit.fluxcd.io_receivers.yaml");
    let mut r = json!({"apiVersion": v, "kind": "Receiver", "metadata": {"name": "r"},
        "spec": {"type": "generic-oidc", "resources": [{"kind": "GitRepository", "name": "x"}]}});
    let (_, causes) = admit(&schema, &mut r);
    assert_eq!(
        causes,
        vec![
            r#"spec: Invalid value: "object": generic-oidc receivers must define at least one oidcProvider"#
        ]
    );

    let (schema, v) = schema_of(&dir, "source.toolkit.fluxcd.io_buckets.yaml");
    let mut b = json!({"apiVersion": v, "kind": "Bucket", "metadata": {"name": "b"},
        "spec": {"bucketName": "x", "endpoint": "minio:9000", "interval": "1m", "provider": "generic",
            "sts": {"provider": "aws", "endpoint": "https://sts.amazonaws.com"}}});
    let (_, causes) = admit(&schema, &mut b);
    assert_eq!(
        causes,
        vec![
            r#"spec: Invalid value: "object": 'ldap' is the only supported STS provider for the 'generic' Bucket provider"#
        ]
    );

    let (schema, v) = schema_of(&dir, "source.extensions.fluxcd.io_artifactgenerators.yaml");
    let mut a = json!({"apiVersion": v, "kind": "ArtifactGenerator", "metadata": {"name": "a"},
        "spec": {"sources": [{"alias": "src", "kind": "GitRepository", "name": "repo"}],
            "artifacts": [{"name": "Not_Valid", "copy": [{"from": "@src/**", "to": "@artifact/"}]}]}});
    let (_, causes) = admit(&schema, &mut a);
    assert_eq!(
        causes,
        vec![
            r#"spec: Invalid value: "object": artifact names must be valid Kubernetes object names when pathPattern is not set"#
        ]
    );
}

/// Every spec property of every Flux CRD set to values of every JSON type:
/// no panic, and a wrongly typed property is always reported.
#[test]
fn odd_values_never_panic_and_type_errors_are_reported() {
    let Some(dir) = crd_dir() else { return };
    let odd = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!("x\u{e9}\n"),
        json!([]),
        json!([null, {"a": [1]}]),
        json!({}),
        json!({"nested": {"deep": [{"x": null}]}}),
    ];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let crd = load_crd(&dir, path.file_name().unwrap().to_str().unwrap());
        let root = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        let schema = StructuralSchema::new(root).unwrap();
        let props = root["properties"]["spec"]["properties"]
            .as_object()
            .unwrap();
        for (name, prop) in props {
            for v in &odd {
                let mut obj = json!({"apiVersion": "a/v1", "kind": "K", "metadata": {"name": "n"}, "spec": {}});
                obj["spec"][name] = v.clone();
                let old = obj.clone();
                schema.prune(&mut obj);
                schema.default(&mut obj);
                let causes = schema.validate(&obj);
                let _ = schema.validate_update(&obj, &old);
                let _ = schema.validate_status_update(&obj, &old);
                let ty = prop["type"].as_str().unwrap_or("");
                let fits = match (ty, &obj["spec"][name]) {
                    (_, Value::Null) => true, // pruned or defaulted
                    ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => true,
                    ("integer", Value::Number(n)) => n.is_i64(),
                    ("number", Value::Number(_)) => true,
                    ("array", Value::Array(_)) | ("object", Value::Object(_)) => true,
                    ("", _) => true,
                    _ => false,
                };
                if !fits {
                    let field = format!("spec.{name}");
                    assert!(
                        causes
                            .iter()
                            .any(|c| c.field == field && c.reason == "FieldValueTypeInvalid"),
                        "{}: {field} = {v} not reported: {causes:?}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn embedded_resources_need_type_meta() {
    let schema = StructuralSchema::new(
        &json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"template": {"type": "object", "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true}}}}}),
    )
    .unwrap();
    let causes: Vec<String> = schema
        .validate(&json!({"spec": {"template": {"kind": 3, "metadata": {"name": "x"}}}}))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        causes,
        vec![
            "spec.template.apiVersion: Required value: must not be empty",
            "spec.template.kind: Invalid value: 3: must be a string",
        ]
    );
}
