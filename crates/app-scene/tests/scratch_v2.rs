mod fuzz_checks;
use yrs::Update;
use yrs::updates::decoder::Decode;

#[test]
fn scratch() {
    let data = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fuzz/crashers/apply_update/v2-reload-differs-070edfee"
    ))
    .unwrap();
    let (&sel, update) = data.split_first().unwrap();
    for attempt in 0..8 {
        let mut doc = if sel & 2 != 0 {
            fuzz_checks::new_doc(fuzz_checks::SUBJECT_ID)
        } else {
            fuzz_checks::base_doc()
        };
        let _ = if sel & 1 != 0 {
            doc.apply_update_v2(update)
        } else {
            doc.apply_update_v1(update)
        };
        let v2 = doc.encode_state_v2();
        let v1 = doc.encode_state_v1();
        let mut a = fuzz_checks::new_doc(99);
        let ra = a.apply_update_v2(&v2);
        let mut b = fuzz_checks::new_doc(99);
        let rb = b.apply_update_v1(&v1);
        println!(
            "attempt {attempt}: v2 {:?} {} nodes; v1 {:?} {} nodes; orig {}",
            ra,
            a.snapshot().len(),
            rb,
            b.snapshot().len(),
            doc.snapshot().len()
        );
        if a.snapshot().len() != doc.snapshot().len() {
            println!("v2 decoded: {:?}", Update::decode_v2(&v2).unwrap());
            println!("v1 decoded: {:?}", Update::decode_v1(&v1).unwrap());
            break;
        }
    }
}
