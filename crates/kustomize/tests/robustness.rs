//! Deterministic smoke fuzzing (the cargo-fuzz targets live in fuzz/): mutated
//! kustomization and patch texts must give Ok or Err, never a panic or a hang.

use std::panic::catch_unwind;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SEEDS: &[&str] = &[
    "resources:\n- a.yaml\nnamePrefix: p-\n",
    "patches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /x\n      value: 1\n",
    "configMapGenerator:\n- name: c\n  literals: [a=b]\n  options:\n    disableNameSuffixHash: true\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        $patch: delete\n",
    "- op: replace\n  path: /spec/containers/0/image\n  value: x\n- op: move\n  from: /a\n  path: /b\n",
    "a: &x [1, *x]\n",
    "{a: [b, {c: d}], e: !!binary aGk=}\n",
];

const FRAGMENTS: &[&str] = &[
    "\n",
    " ",
    "-",
    ":",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "!!str",
    "|",
    ">",
    "'",
    "\"",
    "#",
    "---\n",
    "...\n",
    "$patch: replace",
    "$patch: delete",
    "<<: *a",
    "\t",
    "~",
    "null",
    "0x",
    "1e9",
    "\u{feff}",
    "\u{1F600}",
    "/",
    "~1",
    "op: add",
    "path: /",
    "value:",
    "resources:",
    "components:",
    "kind: Component",
];

fn mutate(rng: &mut Rng, seed: &str) -> String {
    let mut s: Vec<char> = seed.chars().collect();
    for _ in 0..(rng.next() % 8) {
        let pos = if s.is_empty() {
            0
        } else {
            (rng.next() % s.len() as u64) as usize
        };
        match rng.next() % 3 {
            0 => {
                let frag: Vec<char> = rng.pick(FRAGMENTS).chars().collect();
                s.splice(pos..pos, frag);
            }
            1 if !s.is_empty() => {
                s.remove(pos);
            }
            _ => {
                let end = (pos + (rng.next() % 10) as usize).min(s.len());
                let dup: Vec<char> = s[pos..end].to_vec();
                s.splice(pos..pos, dup);
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn mutated_inputs_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let (sa, sb) = (rng.pick(SEEDS), rng.pick(SEEDS));
        let a = mutate(&mut rng, sa);
        let b = mutate(&mut rng, sb);
        let ok = catch_unwind(|| {
            let _ = flux_kustomize::parse_kustomization(&a);
            let _ = flux_kustomize::apply_patch_text(&a, &b);
        });
        assert!(ok.is_ok(), "panic on inputs:\n{a:?}\n{b:?}");
    }
}

#[test]
fn alias_bombs_are_refused_not_expanded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    assert!(flux_kustomize::parse_kustomization(&text).is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(flux_kustomize::parse_kustomization(&text).is_err());
}
