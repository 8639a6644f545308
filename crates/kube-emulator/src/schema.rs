//! CRD schema enforcement, provided by the kube-schema crate.

pub use kube_schema::StructuralSchema as CompiledSchema;
