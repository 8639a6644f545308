//! postBuild variable substitution, as Flux's `SubstituteVariables` does it: variables from
//! `substituteFrom` ConfigMaps and Secrets (later entries win) overlaid by inline `substitute`
//! (newlines removed from every value), names checked against
//! `^[_[:alpha:]][_[:alpha:][:digit:]]*$`, and envsubst run over each object's YAML text unless the
//! object opts out with `kustomize.toolkit.fluxcd.io/substitute: disabled` (label or annotation).
//! With strategy `WithVariables` nothing happens when no variable is defined; under the
//! StrictPostBuildSubstitutions gate an undefined variable without a default is an error.

pub mod envsubst;
mod funcs;

use flux_api::kustomize::{PostBuild, SubstituteStrategy, ValuesReferenceKind};
use flux_kustomize::value::Value;
use flux_kustomize::yaml;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub use envsubst::EnvsubstError;

/// The annotation (or label) that turns substitution off for one object.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
const VAR_NAME_PATTERN: &str = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

static VAR_NAME: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(VAR_NAME_PATTERN).unwrap_or_else(|_| regex::Regex::new("^$").unwrap())
});

#[derive(Debug, thiserror::Error)]
pub enum PostBuildError {
    #[error("substitute from '{kind}/{name}' error: {message}")]
    SubstituteFrom {
        kind: &'static str,
        name: String,
        message: String,
    },
    #[error("envsubst error: '{0}' var name is invalid, must match '{VAR_NAME_PATTERN}'")]
    InvalidVarName(String),
    #[error("envsubst error: variable substitution failed: {0}")]
    Substitution(#[from] EnvsubstError),
    #[error("envsubst error: YAMLToJSON: {0}")]
    Yaml(String),
}

/// What substitution does for one build.
#[derive(Debug, Clone, Default)]
pub struct Substitution {
    pub vars: BTreeMap<String, String>,
    /// StrictPostBuildSubstitutions: an undefined variable without a default is an error.
    pub strict: bool,
    /// `substituteStrategy: Always`: substitute even when no variable is defined.
    pub always: bool,
}

impl Substitution {
    /// Variables from `substituteFrom` (in order, later wins) then inline `substitute`.
    pub async fn load(
        client: &kube::Client,
        namespace: &str,
        post_build: &PostBuild,
        strict: bool,
    ) -> Result<Substitution, PostBuildError> {
        let mut vars = BTreeMap::new();
        for reference in post_build.substitute_from.iter().flatten() {
            let optional = reference.optional.unwrap_or(false);
            let (kind, data) = match reference.kind {
                ValuesReferenceKind::ConfigMap => {
                    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
                    let found = get_optional(&api, &reference.name, optional)
                        .await
                        .map_err(|message| PostBuildError::SubstituteFrom {
                            kind: "ConfigMap",
                            name: reference.name.clone(),
                            message,
                        })?;
                    let data = found.and_then(|cm| cm.data).unwrap_or_default();
                    ("ConfigMap", data)
                }
                ValuesReferenceKind::Secret => {
                    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
                    let found = get_optional(&api, &reference.name, optional)
                        .await
                        .map_err(|message| PostBuildError::SubstituteFrom {
                            kind: "Secret",
                            name: reference.name.clone(),
                            message,
                        })?;
                    let data = found
                        .and_then(|s| s.data)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                        .collect();
                    ("Secret", data)
                }
            };
            tracing::trace!(kind, name = %reference.name, "loaded substitution variables");
            for (k, v) in data {
                vars.insert(k, v.replace('\n', ""));
            }
        }
        for (k, v) in post_build.substitute.iter().flatten() {
            vars.insert(k.clone(), v.replace('\n', ""));
        }
        Ok(Substitution {
            vars,
            strict,
            always: post_build.substitute_strategy == Some(SubstituteStrategy::Always),
        })
    }

    /// Whether substitution runs at all.
    pub fn active(&self) -> bool {
        !self.vars.is_empty() || self.always
    }

    /// Substitute into one object; `None` when the object is left as it is.
    pub fn apply(&self, object: &Value) -> Result<Option<Value>, PostBuildError> {
        if is_disabled(object) || !self.active() {
            return Ok(None);
        }
        if let Some(bad) = self.vars.keys().find(|k| !VAR_NAME.is_match(k)) {
            return Err(PostBuildError::InvalidVarName(bad.clone()));
        }
        let text = yaml::emit_document(object).map_err(|e| PostBuildError::Yaml(e.to_string()))?;
        let vars = &self.vars;
        let strict = self.strict;
        let output = envsubst::eval_str(&text, &|name| match vars.get(name) {
            Some(v) => (v.clone(), true),
            None => (String::new(), !strict),
        })?;
        // sigs.k8s.io/yaml reads the result: YAML 1.1 rules, first document only.
        let doc = yaml::parse_documents_yaml11(&output)
            .map_err(|e| PostBuildError::Yaml(e.to_string()))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        match doc {
            Value::Map(_) => Ok(Some(doc)),
            other => Err(PostBuildError::Yaml(format!(
                "substitution produced a {} instead of an object",
                other.type_name()
            ))),
        }
    }
}

/// The opt-out, as a label or an annotation.
pub fn is_disabled(object: &Value) -> bool {
    ["labels", "annotations"]
        .iter()
        .any(|field| object.str_at(&["metadata", field, SUBSTITUTE_KEY]) == Some("disabled"))
}

async fn get_optional<K>(api: &Api<K>, name: &str, optional: bool) -> Result<Option<K>, String>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.get(name).await {
        Ok(object) => Ok(Some(object)),
        Err(kube::Error::Api(status)) if status.code == 404 && optional => Ok(None),
        Err(kube::Error::Api(status)) => Err(status.message),
        Err(other) => Err(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Value {
        yaml::parse_single(text).unwrap()
    }

    fn subst(vars: &[(&str, &str)], strict: bool, always: bool) -> Substitution {
        Substitution {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            strict,
            always,
        }
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${env}\nspec:\n  replicas: ${replicas:=1}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:v${tag}\n";

    #[test]
    fn substitutes_values_and_retypes_scalars() {
        let s = subst(
            &[("env", "prod"), ("tag", "1.2"), ("replicas", "3")],
            true,
            false,
        );
        let out = s.apply(&object(DEPLOY)).unwrap().unwrap();
        assert_eq!(out.str_at(&["metadata", "name"]), Some("app-prod"));
        assert_eq!(out.at(&["spec", "replicas"]), Some(&Value::Int(3)));
        let containers = out
            .at(&["spec", "template", "spec", "containers"])
            .and_then(Value::as_seq)
            .unwrap();
        assert_eq!(containers[0].str_at(&["image"]), Some("app:v1.2"));
    }

    #[test]
    fn defaults_apply_and_yaml11_booleans_follow_flux() {
        let s = subst(
            &[("env", "dev"), ("tag", "x"), ("flag", "yes")],
            true,
            false,
        );
        let out = s.apply(&object(DEPLOY)).unwrap().unwrap();
        assert_eq!(out.at(&["spec", "replicas"]), Some(&Value::Int(1)));
        let cm =
            object("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  on: ${flag}\n");
        let out = s.apply(&cm).unwrap().unwrap();
        // sigs.k8s.io/yaml (YAML 1.1) reads the substituted `yes` as a boolean, as in Flux.
        assert_eq!(out.at(&["data", "on"]), Some(&Value::Bool(true)));
    }

    #[test]
    fn strict_mode_names_the_undefined_variable() {
        let s = subst(&[("env", "dev")], true, false);
        let err = s.apply(&object(DEPLOY)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "envsubst error: variable substitution failed: variable not set (strict mode): \"tag\""
        );
        let lenient = subst(&[("env", "dev")], false, false);
        let out = lenient.apply(&object(DEPLOY)).unwrap().unwrap();
        let containers = out
            .at(&["spec", "template", "spec", "containers"])
            .and_then(Value::as_seq)
            .unwrap();
        assert_eq!(containers[0].str_at(&["image"]), Some("app:v"));
    }

    #[test]
    fn nothing_happens_without_variables_unless_always() {
        let none = subst(&[], true, false);
        assert!(none.apply(&object(DEPLOY)).unwrap().is_none());
        let always = subst(&[], false, true);
        let out = always.apply(&object(DEPLOY)).unwrap().unwrap();
        assert_eq!(out.at(&["spec", "replicas"]), Some(&Value::Int(1)));
        assert_eq!(out.str_at(&["metadata", "name"]), Some("app-"));
    }

    #[test]
    fn the_opt_out_leaves_objects_alone() {
        let s = subst(&[("env", "prod")], true, false);
        for field in ["labels", "annotations"] {
            let text = format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-${{env}}\n  {field}:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n"
            );
            assert!(s.apply(&object(&text)).unwrap().is_none(), "{field}");
        }
    }

    #[test]
    fn invalid_variable_names_fail() {
        let s = subst(&[("my-var", "x")], true, false);
        let err = s.apply(&object(DEPLOY)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "envsubst error: 'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
        );
    }

    #[test]
    fn escaped_references_stay_literal() {
        let s = subst(&[("a", "1")], true, false);
        let cm = object(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  script: echo $${HOME} ${a}\n",
        );
        let out = s.apply(&cm).unwrap().unwrap();
        assert_eq!(out.str_at(&["data", "script"]), Some("echo ${HOME} 1"));
    }
}
