//! The e2e process harness: the API emulator, the git server and the controllers as separate processes on free ports, with logs kept on failure.
