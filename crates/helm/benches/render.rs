fn main() {
    eprintln!("bench not written yet");
}
