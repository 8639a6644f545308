//! The generated CRDs and every documented example, through the real kubectl and the cluster (the
//! API emulator, or the real control plane with FLUX_RS_CLUSTER=real): the CRDs are accepted,
//! served, and validate Flux's manifests as Flux's own CRDs would.

use testkit::paths::repo_root;
use testkit::processes::Cluster;

/// Every YAML document under `dir`.
fn documents(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read fixtures").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(documents(&path));
        } else if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let docs: Vec<serde_json::Value> =
                serde_saphyr::from_multiple(&text).expect("fixture is YAML");
            out.extend(docs.into_iter().filter(|d| !d.is_null()));
        }
    }
    out
}

#[test]
fn crds_install_and_validate_documented_examples() {
    let cluster = Cluster::start_without_crds();
    let root = repo_root();
    let crds = root.join("config/crds");
    let fixtures = root.join("tests/fixtures/api");
    let (crds, fixtures) = (
        crds.to_str().unwrap().to_string(),
        fixtures.to_str().unwrap().to_string(),
    );

    {
        let kubectl = cluster.kubectl();

        // Every file passes kubectl's client-side dry run.
        let out = kubectl.ok(&["apply", "--dry-run=client", "-f", &crds]);
        assert_eq!(
            out.lines()
                .filter(|l| l.ends_with("created (dry run)"))
                .count(),
            15,
            "{out}"
        );

        // Installed for real, every kind is served with its short names and printer columns.
        kubectl.ok(&["apply", "--server-side", "-f", &crds]);
        kubectl.ok(&[
            "wait",
            "--for=condition=Established",
            "crd",
            "--all",
            "--timeout=30s",
        ]);
        let resources = kubectl.ok(&[
            "api-resources",
            "--api-group=source.toolkit.fluxcd.io",
            "-o",
            "name",
        ]);
        for plural in [
            "gitrepositories",
            "ocirepositories",
            "helmrepositories",
            "helmcharts",
            "buckets",
            "externalartifacts",
        ] {
            assert!(
                resources.contains(&format!("{plural}.source.toolkit.fluxcd.io")),
                "{resources}"
            );
        }

        // Every documented example is valid against the served schemas (server-side dry run).
        let examples = documents(std::path::Path::new(&fixtures));
        let mut namespaces: Vec<&str> = examples
            .iter()
            .filter_map(|d| d["metadata"]["namespace"].as_str())
            .collect();
        namespaces.push("flux-system");
        namespaces.sort();
        namespaces.dedup();
        let manifest: String = namespaces
            .iter()
            .map(|ns| format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n"))
            .collect();
        let run = kubectl.run(&["apply", "-f", "-"], Some(&manifest));
        assert!(run.success, "{}", run.stderr);
        let out = kubectl.ok(&[
            "apply",
            "--server-side",
            "--dry-run=server",
            "-R",
            "-f",
            &fixtures,
        ]);
        let applied = out
            .lines()
            .filter(|l| l.ends_with("serverside-applied (server dry run)"))
            .count();
        assert_eq!(
            applied,
            examples.len(),
            "every example must be accepted:\n{out}"
        );

        // And the schemas reject what Flux's reject.
        let bad_interval = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: bad, namespace: flux-system}\nspec: {url: 'https://example.com/repo', interval: soon}\n";
        let err = kubectl.fails(&["apply", "--server-side", "-f", "-"], Some(bad_interval));
        assert!(err.contains("spec.interval"), "{err}");
        let bad_url = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: bad, namespace: flux-system}\nspec: {url: 'ftp://example.com/repo', interval: 1m}\n";
        let err = kubectl.fails(&["apply", "--server-side", "-f", "-"], Some(bad_url));
        assert!(err.contains("spec.url"), "{err}");

        // Printer columns as Flux's.
        let good = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: podinfo, namespace: flux-system}\nspec: {url: 'https://github.com/stefanprodan/podinfo', interval: 1m}\n";
        let run = kubectl.run(&["apply", "--server-side", "-f", "-"], Some(good));
        assert!(run.success, "{}", run.stderr);
        let table = kubectl.ok(&["get", "gitrepo", "-n", "flux-system"]);
        let header: Vec<&str> = table
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(header, ["NAME", "URL", "AGE", "READY", "STATUS"], "{table}");
        assert!(
            table.contains("https://github.com/stefanprodan/podinfo"),
            "{table}"
        );
    }
}
