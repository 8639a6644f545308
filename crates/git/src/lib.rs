//! Git client for the source controller: clone/fetch over https, ssh and http with Flux's ref rules, revisions and a fetch cache.
