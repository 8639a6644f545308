//! Helm chart repositories, shared by the HelmRepository and HelmChart reconcilers.

pub mod repository;
