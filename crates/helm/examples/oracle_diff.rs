//! Renders a chart with the settings the Helm oracle uses (for ad-hoc comparisons):
//! `cargo run -p flux-helm --example oracle_diff -- CHART [VALUES_JSON] [RELEASE] [NAMESPACE]`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(chart) = args.first() else {
        eprintln!("usage: oracle_diff CHART [VALUES_JSON] [RELEASE] [NAMESPACE]");
        std::process::exit(2);
    };
    let values = args
        .get(1)
        .map(|v| serde_json::from_str(v).expect("values JSON"));
    let opts = flux_helm::TemplateOptions {
        release_name: args.get(2).cloned().unwrap_or_else(|| "release".into()),
        namespace: args.get(3).cloned().unwrap_or_else(|| "default".into()),
        values: values
            .into_iter()
            .map(flux_helm::ValuesSource::Json)
            .collect(),
        kube_version: std::env::var("FAKE_KUBE_VERSION").unwrap_or_else(|_| "v1.31.0".into()),
        api_versions: flux_helm::oracle_api_versions(),
        ..Default::default()
    };
    match flux_helm::template(chart.into(), opts) {
        Ok(out) => print!("{out}"),
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::exit(1);
        }
    }
}
