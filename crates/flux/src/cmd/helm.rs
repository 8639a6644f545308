//! `flux helm`: the native Helm engine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use flux_helm::{TemplateOptions, ValuesSource};

#[derive(Debug, Subcommand)]
pub enum HelmCommand {
    /// Render a chart locally and print the manifests, as `helm template` does.
    Template {
        /// Release name.
        release: String,
        /// Chart directory or .tgz archive.
        chart: PathBuf,
        /// Values files (YAML or JSON); later files win.
        #[arg(short = 'f', long = "values")]
        values: Vec<PathBuf>,
        /// Set values (key1=val1,key2=val2).
        #[arg(long = "set")]
        set: Vec<String>,
        /// Set STRING values (key1=val1,key2=val2).
        #[arg(long = "set-string")]
        set_string: Vec<String>,
        /// Set JSON values (key1=jsonval1,key2=jsonval2).
        #[arg(long = "set-json")]
        set_json: Vec<String>,
        /// Release namespace.
        #[arg(short = 'n', long = "namespace", default_value = "default")]
        namespace: String,
        /// Kubernetes version used for Capabilities.KubeVersion.
        #[arg(long = "kube-version")]
        kube_version: Option<String>,
        /// Extra API versions for Capabilities.APIVersions.
        #[arg(short = 'a', long = "api-versions")]
        api_versions: Vec<String>,
        /// Include CRDs from crds/ in the output.
        #[arg(long = "include-crds")]
        include_crds: bool,
        /// Set .Release.IsUpgrade instead of .Release.IsInstall.
        #[arg(long = "is-upgrade")]
        is_upgrade: bool,
        /// Skip validation against values.schema.json.
        #[arg(long = "skip-schema-validation")]
        skip_schema_validation: bool,
        /// Leave out test hooks.
        #[arg(long = "skip-tests")]
        skip_tests: bool,
        /// Leave out all hooks.
        #[arg(long = "no-hooks")]
        no_hooks: bool,
        /// Only show manifests rendered from the given templates.
        #[arg(short = 's', long = "show-only")]
        show_only: Vec<String>,
    },
}

pub fn run(command: HelmCommand) -> anyhow::Result<ExitCode> {
    match command {
        HelmCommand::Template {
            release,
            chart,
            values,
            set,
            set_string,
            set_json,
            namespace,
            kube_version,
            api_versions,
            include_crds,
            is_upgrade,
            skip_schema_validation,
            skip_tests,
            no_hooks,
            show_only,
        } => {
            let mut sources = Vec::new();
            for f in &values {
                let content = std::fs::read_to_string(f)
                    .with_context(|| format!("reading values file {}", f.display()))?;
                sources.push(ValuesSource::File {
                    name: f.display().to_string(),
                    content,
                });
            }
            sources.extend(set_json.into_iter().map(ValuesSource::SetJson));
            sources.extend(set.into_iter().map(ValuesSource::Set));
            sources.extend(set_string.into_iter().map(ValuesSource::SetString));
            let mut opts = TemplateOptions {
                release_name: release,
                namespace,
                values: sources,
                include_crds,
                is_upgrade,
                skip_schema_validation,
                skip_tests,
                no_hooks,
                show_only,
                ..TemplateOptions::default()
            };
            if let Some(v) = kube_version {
                let v = if v.starts_with('v') {
                    v
                } else {
                    format!("v{v}")
                };
                opts.kube_version = v;
            }
            opts.api_versions.extend(api_versions);
            let out = flux_helm::template(chart, opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            std::io::stdout().write_all(out.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
