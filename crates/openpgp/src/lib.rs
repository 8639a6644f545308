//! OpenPGP signature verification for Git commits and tags.
