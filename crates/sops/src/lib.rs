//! SOPS decryption (age, OpenPGP) for the kustomize controller.
