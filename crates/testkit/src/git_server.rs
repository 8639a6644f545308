//! A real git server on 127.0.0.1 for tests: smart HTTP (git http-backend, optional basic auth) and ssh (Debian openssh-server).
