//! Server-side apply in stages, change sets, inventory, prune and kstatus health checks.
