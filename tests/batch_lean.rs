//! Batches keep a lean summary per hospital and rebuild full reports on demand: the summary's
//! figures equal the full scorecard's, whatever the input form (evidence, whole table, stream),
//! the record-batch split and the thread count.

use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use sanjia::evidence::{ArticleLevel, ElementResult, Observation, Records};
use sanjia::score::batch::Batch;
use sanjia::score::{score_sheet, score_summary, Scratch, Summary};
use sanjia::{BatchOptions, Evidence, Rulebook};
use std::sync::Arc;

fn opts(n: usize) -> BatchOptions {
    BatchOptions {
        n_threads: Some(n),
        ..BatchOptions::default()
    }
}

/// Random hospitals for a rulebook: every criterion answered with a random level / value
/// (some left out, so missing-evidence policies play).
fn hospitals(rb: &Rulebook, n: usize, seed: u64) -> Vec<Evidence> {
    hospitals_leaving_out(rb, n, seed, 23)
}

/// A pseudo-random sequence (xorshift) from a seed.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// Random hospitals leaving out about one criterion in `one_in` (0: none left out, so every
/// hospital's rows are laid out alike).
fn hospitals_leaving_out(rb: &Rulebook, n: usize, seed: u64, one_in: u64) -> Vec<Evidence> {
    let mut next = xorshift(seed);
    let mut out = Vec::new();
    for h in 0..n {
        let mut ev = Evidence::new(format!("H{h:04}"));
        for node in rb.nodes() {
            use sanjia::rulebook::model::NodeKind::*;
            let r = next();
            if one_in > 0 && r % one_in == 0 && node.kind != Gate {
                continue;
            }
            match node.kind {
                Gate => {
                    ev.gates.insert(node.id.clone(), r % 17 != 0);
                }
                Article => {
                    let l = ArticleLevel::ALL[(r % 5) as usize];
                    ev.articles.insert(node.id.clone(), l);
                }
                Element => {
                    let l = [
                        ElementResult::Met,
                        ElementResult::Partial,
                        ElementResult::NotMet,
                        ElementResult::NotApplicable,
                    ];
                    ev.elements.insert(node.id.clone(), l[(r % 4) as usize]);
                }
                Indicator => {
                    let mut series = std::collections::BTreeMap::new();
                    for (k, p) in ["2022", "2023", "2024"].iter().enumerate() {
                        let den = 1000 + (next() % 9000);
                        let num = den * (next() % 101) / 100;
                        let obs = if (r + k as u64) % 2 == 0 {
                            Observation::Ratio {
                                numerator: num.into(),
                                denominator: den.into(),
                            }
                        } else {
                            Observation::Value(rust_decimal::Decimal::new(
                                (next() % 1001) as i64,
                                1,
                            ))
                        };
                        series.insert(p.to_string(), obs);
                    }
                    ev.indicators.insert(node.id.clone(), series);
                }
                Group => {}
            }
        }
        out.push(ev);
    }
    out
}

/// The long table of some evidence, as one record batch.
fn table(evs: &[Evidence]) -> RecordBatch {
    let (mut h, mut c, mut p, mut v, mut n, mut d, mut l) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for ev in evs {
        let mut row = |cid: &str,
                       per: Option<&str>,
                       val: Option<f64>,
                       num: Option<f64>,
                       den: Option<f64>,
                       lev: Option<String>| {
            h.push(ev.hospital.clone());
            c.push(cid.to_string());
            p.push(per.map(str::to_string));
            v.push(val);
            n.push(num);
            d.push(den);
            l.push(lev);
        };
        for (id, pass) in &ev.gates {
            row(
                id,
                None,
                None,
                None,
                None,
                Some(if *pass { "pass" } else { "fail" }.into()),
            );
        }
        for (id, lev) in &ev.articles {
            row(id, None, None, None, None, Some(lev.to_string()));
        }
        for (id, r) in &ev.elements {
            row(id, None, None, None, None, Some(r.name().into()));
        }
        for (id, series) in &ev.indicators {
            for (per, obs) in series {
                let f = |x: rust_decimal::Decimal| x.to_string().parse::<f64>().unwrap();
                match obs {
                    Observation::Value(x) => row(id, Some(per), Some(f(*x)), None, None, None),
                    Observation::Ratio {
                        numerator,
                        denominator,
                    } => row(
                        id,
                        Some(per),
                        None,
                        Some(f(*numerator)),
                        Some(f(*denominator)),
                        None,
                    ),
                }
            }
        }
    }
    long_batch(
        [
            Arc::new(StringArray::from(h)),
            Arc::new(StringArray::from(c)),
            Arc::new(StringArray::from(p)),
            Arc::new(StringArray::from(l)),
        ],
        [
            Arc::new(Float64Array::from(v)),
            Arc::new(Float64Array::from(n)),
            Arc::new(Float64Array::from(d)),
        ],
    )
}

/// A long table's record batch from its columns: hospital, criterion, period and level texts;
/// value, numerator and denominator numbers.
fn long_batch([h, c, p, l]: [ArrayRef; 4], [v, n, d]: [ArrayRef; 3]) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("hospital_id", h),
        ("criterion_id", c),
        ("period", p),
        ("value", v),
        ("numerator", n),
        ("denominator", d),
        ("level", l),
    ])
    .unwrap()
}

fn split(b: &RecordBatch, size: usize) -> Vec<RecordBatch> {
    (0..b.num_rows())
        .step_by(size)
        .map(|s| b.slice(s, size.min(b.num_rows() - s)))
        .collect()
}

/// Summaries of full scorecards, one by one (the reference).
fn reference(rb: &Rulebook, evs: &[Evidence]) -> Vec<Result<Summary, String>> {
    evs.iter()
        .map(|ev| {
            ev.sheet(rb)
                .and_then(|s| score_sheet(rb, &s))
                .map(|c| Summary::of(rb, &c))
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn rows(b: &Batch) -> Vec<Result<Summary, String>> {
    b.rows()
        .iter()
        .map(|r| r.clone().map_err(|e| e.to_string()))
        .collect()
}

/// Summaries, and errors reduced to their hospital (a table names rows where a file names
/// paths).
fn outcomes(r: &[Result<Summary, String>]) -> Vec<Result<Summary, ()>> {
    r.iter().map(|x| x.clone().map_err(|_| ())).collect()
}

#[test]
fn lean_summaries_equal_full_scorecards_on_every_builtin_sample() {
    for name in Rulebook::builtin_names() {
        let rb = Rulebook::builtin(name).unwrap();
        let b = sanjia::rulebook::builtin::find(name).unwrap();
        let mut scratch = Scratch::new(&rb);
        for (sample, _) in b.samples {
            let ev = Evidence::sample(name, Some(sample)).unwrap();
            let sheet = ev.sheet(&rb).unwrap();
            let full = Summary::of(&rb, &score_sheet(&rb, &sheet).unwrap());
            let lean = score_summary(&rb, &sheet, &mut scratch).unwrap();
            assert_eq!(lean, full, "{name} / {sample}");
        }
    }
}

#[test]
fn lean_equals_full_on_random_hospitals() {
    for name in ["demo", "cn-2011", "jci-8th", "cn-tertiary-2022"] {
        let rb = Rulebook::builtin(name).unwrap();
        let evs = hospitals(&rb, 60, 11);
        let want = reference(&rb, &evs);
        let batch = Batch::from_evidence(&rb, evs, Default::default(), &opts(2));
        assert_eq!(rows(&batch), want, "{name}");
    }
}

#[test]
fn tables_streams_splits_and_threads_agree() {
    let rb = Rulebook::builtin("demo").unwrap();
    let evs = hospitals(&rb, 40, 5);
    let want = reference(&rb, &evs);
    let whole = table(&evs);
    for size in [whole.num_rows(), 997, 61, 7, 1] {
        for threads in [1, 2] {
            let parts = split(&whole, size);
            let t =
                Batch::from_tables(&rb, parts.clone(), Default::default(), &opts(threads)).unwrap();
            assert_eq!(
                outcomes(&rows(&t)),
                outcomes(&want),
                "table split {size}, {threads} threads"
            );
            let s = Batch::from_stream(
                &rb,
                parts.into_iter().map(Ok),
                Default::default(),
                &opts(threads),
            )
            .unwrap();
            assert_eq!(
                outcomes(&rows(&s)),
                outcomes(&want),
                "stream split {size}, {threads} threads"
            );
        }
    }
}

#[test]
fn reports_on_demand_equal_scoring_one_by_one() {
    let rb = Rulebook::builtin("demo").unwrap();
    let evs = hospitals(&rb, 12, 3);
    let from_ev = Batch::from_evidence(&rb, evs.clone(), Default::default(), &opts(2));
    let from_table =
        Batch::from_tables(&rb, split(&table(&evs), 50), Default::default(), &opts(2)).unwrap();
    for (i, ev) in evs.iter().enumerate() {
        match sanjia::score(&rb, ev) {
            Ok(r) => {
                let want = r.to_json();
                assert_eq!(from_ev.report(i).unwrap().to_json()["total"], want["total"]);
                assert_eq!(
                    from_table.report(i).unwrap().to_json()["decision"],
                    want["decision"]
                );
                assert_eq!(
                    from_table.report(i).unwrap().to_json()["deductions"],
                    want["deductions"]
                );
            }
            Err(e) => {
                assert_eq!(from_ev.report(i).unwrap_err().to_string(), e.to_string());
                assert!(from_table.report(i).is_err());
            }
        }
    }
    let streamed = Batch::from_stream(
        &rb,
        split(&table(&evs), 50).into_iter().map(Ok),
        Default::default(),
        &opts(1),
    )
    .unwrap();
    let e = streamed.report(0).unwrap_err();
    assert!(e.to_string().contains("stream, which is not kept"), "{e}");
}

#[test]
fn a_stream_with_a_hospital_split_apart_says_so_for_both_entries() {
    let rb = Rulebook::builtin("demo").unwrap();
    let evs = hospitals(&rb, 3, 9);
    let h0 = table(&evs[0..1]);
    let half = h0.num_rows() / 2;
    // H0000's first half, then H0001, then H0000's second half, then H0002.
    let parts = vec![
        h0.slice(0, half),
        table(&evs[1..2]),
        h0.slice(half, h0.num_rows() - half),
        table(&evs[2..3]),
    ];
    let s =
        Batch::from_stream(&rb, parts.into_iter().map(Ok), Default::default(), &opts(1)).unwrap();
    let errs: Vec<_> = s
        .rows()
        .iter()
        .zip(s.hospitals())
        .filter_map(|(r, h)| r.as_ref().err().map(|e| (h.clone(), e.to_string())))
        .filter(|(_, e)| e.contains("not together"))
        .collect();
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs.iter().all(|(h, _)| h.as_deref() == Some("H0000")),
        "{errs:?}"
    );
    assert_eq!(s.len(), 4, "H0000 twice, H0001, H0002: no entry lost");
    // Every other hospital is scored; entries account for every input hospital.
    assert!(s
        .rows()
        .iter()
        .zip(s.hospitals())
        .any(|(r, h)| h.as_deref() == Some("H0001") && r.is_ok()));
}

#[test]
fn records_feed_batches_the_same_way() {
    let rb = Rulebook::builtin("demo").unwrap();
    let ev = Evidence::sample("demo", None).unwrap();
    let b = Batch::from_evidence(
        &rb,
        vec![ev.clone()],
        Arc::new(Records::default()),
        &opts(1),
    );
    assert_eq!(rows(&b), reference(&rb, &[ev]));
}

/// The rows of a batch in a pseudo-random order (hospitals interleaved).
fn shuffled(b: &RecordBatch, seed: u64) -> RecordBatch {
    let mut order: Vec<usize> = (0..b.num_rows()).collect();
    let mut random = xorshift(seed);
    for i in (1..order.len()).rev() {
        order.swap(i, (random() % (i as u64 + 1)) as usize);
    }
    let cols: Vec<(String, ArrayRef)> = b
        .schema()
        .fields()
        .iter()
        .zip(b.columns())
        .map(|(f, a)| {
            let a: ArrayRef = if let Some(s) = a.as_any().downcast_ref::<StringArray>() {
                Arc::new(
                    order
                        .iter()
                        .map(|&i| s.is_valid(i).then(|| s.value(i)))
                        .collect::<StringArray>(),
                )
            } else {
                let n = a.as_any().downcast_ref::<Float64Array>().unwrap();
                Arc::new(
                    order
                        .iter()
                        .map(|&i| n.is_valid(i).then(|| n.value(i)))
                        .collect::<Float64Array>(),
                )
            };
            (f.name().clone(), a)
        })
        .collect();
    RecordBatch::try_from_iter(cols).unwrap()
}

/// Summaries keyed by hospital (a shuffled table lists hospitals in another order).
fn by_hospital(r: &[Result<Summary, String>]) -> Vec<Result<Summary, ()>> {
    let mut v = outcomes(r);
    v.sort_by_key(|x| x.as_ref().map(|s| s.hospital.clone()).unwrap_or_default());
    v
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Whatever the number of hospitals, the row order, the record-batch size and the thread
    /// count, a table (and, for rows kept together, a stream) gives each hospital the result
    /// of scoring it alone.
    #[test]
    fn any_partitioning_batch_size_and_thread_count_gives_the_same_results(
        n in 1usize..20,
        seed in 0u64..1_000,
        size in 1usize..500,
        threads in 1usize..4,
        shuffle in proptest::prelude::any::<Option<u64>>(),
    ) {
        let rb = Rulebook::builtin("demo").unwrap();
        let evs = hospitals(&rb, n, seed);
        let want = reference(&rb, &evs);
        let whole = table(&evs);
        let whole = match shuffle {
            Some(s) => shuffled(&whole, s),
            None => whole,
        };
        let parts = split(&whole, size);
        let t = Batch::from_tables(&rb, parts.clone(), Default::default(), &opts(threads)).unwrap();
        proptest::prop_assert_eq!(t.len(), evs.len());
        proptest::prop_assert_eq!(by_hospital(&rows(&t)), by_hospital(&want));
        if shuffle.is_none() {
            let s = Batch::from_stream(&rb, parts.into_iter().map(Ok), Default::default(), &opts(threads))
                .unwrap();
            proptest::prop_assert_eq!(outcomes(&rows(&s)), outcomes(&want));
        }
    }
}

/// Rows are grouped in pieces in parallel; runs that cross a piece boundary are merged back.
#[test]
fn grouping_merges_runs_across_pieces() {
    use sanjia::evidence::table::{group_rows, LongTable};
    let ids: Vec<&str> = (0..150_000)
        .map(|r| {
            if (70_000..140_000).contains(&r) {
                "B"
            } else {
                "A"
            }
        })
        .collect();
    let crit = vec!["x"; ids.len()];
    let h = StringArray::from(ids);
    let c = StringArray::from(crit);
    let (hc, cc): (ArrayRef, ArrayRef) = (Arc::new(h), Arc::new(c));
    let hospital = sanjia::evidence::arrow::text_column("hospital_id", &hc).unwrap();
    let criterion = sanjia::evidence::arrow::text_column("criterion_id", &cc).unwrap();
    let table = LongTable::new(&hospital, &criterion);
    for threads in [1, 2] {
        let (groups, orphans) = opts(threads).install(|| group_rows(std::slice::from_ref(&table)));
        assert!(orphans.is_empty());
        assert_eq!(
            groups,
            vec![
                ("A", vec![(0, 0, 70_000), (0, 140_000, 150_000)]),
                ("B", vec![(0, 70_000, 140_000)]),
            ]
        );
    }
}

/// A run of rows is read a piece of 512 rows at a time, column by column; that gives the same
/// sheet, and the same errors with the same row numbers, as reading row by row, for Arrow
/// columns (null cells included) and for plain vectors.
#[test]
fn reading_a_run_of_rows_equals_reading_row_by_row() {
    use sanjia::evidence::table::LongTable;
    use sanjia::evidence::SheetBuilder;
    let rb = Rulebook::builtin("cn-tertiary-2022").unwrap();
    let mut evs = hospitals(&rb, 1, 11);
    evs[0].hospital = "H".into();
    // Ten more periods of every indicator, so the hospital has more than two pieces of rows.
    for series in evs[0].indicators.values_mut() {
        if let Some(&obs) = series.values().next() {
            for year in 2010..2020 {
                series.insert(year.to_string(), obs);
            }
        }
    }
    let mut batch = table(&evs);
    // Bad rows among good ones: a level and a value on one row, no criterion, an unknown id.
    let n = batch.num_rows();
    assert!(n > 1_100, "crosses two piece boundaries ({n} rows)");
    let mut cols: Vec<ArrayRef> = batch.columns().to_vec();
    let crit = cols[1].as_any().downcast_ref::<StringArray>().unwrap();
    let crit: Vec<Option<String>> = (0..n)
        .map(|r| match r {
            600 => None,
            1_000 => Some("no such id".into()),
            r => Some(crit.value(r).to_string()),
        })
        .collect();
    cols[1] = Arc::new(StringArray::from(crit));
    let value = cols[3].as_any().downcast_ref::<Float64Array>().unwrap();
    let value: Vec<Option<f64>> = (0..n)
        .map(|r| {
            if r == 5 {
                Some(1.0)
            } else {
                value.is_valid(r).then(|| value.value(r))
            }
        })
        .collect();
    cols[3] = Arc::new(Float64Array::from(value));
    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    batch = RecordBatch::try_from_iter(names.into_iter().zip(cols)).unwrap();

    let sheet = |add: &Adder| read_sheet(&rb, &batch, add);
    let by_row = sheet(&|t, b| (0..t.len()).for_each(|r| t.add_row(b, r)));
    let by_run = sheet(&|t, b| t.add_rows(b, 0..t.len()));
    let by_runs = sheet(&|t, b| {
        t.add_rows(b, 0..513);
        t.add_rows(b, 513..t.len());
    });
    let err = by_row.clone().unwrap_err();
    assert!(
        err.contains("no criterion_id") && err.contains("unknown criterion id"),
        "{err}"
    );
    assert!(err.contains("not both"), "{err}");
    assert_eq!(by_run, by_row);
    assert_eq!(by_runs, by_row);

    // Plain vectors read through the trait's row-by-row default.
    let strings = |k: usize| strings(&batch, k);
    let numbers = |k: usize| floats(&batch, k);
    let (h, c, p, l) = (strings(0), strings(1), strings(2), strings(6));
    let (v, nu, de) = (numbers(3), numbers(4), numbers(5));
    let plain = LongTable {
        period: Some(&p),
        value: Some(&v),
        numerator: Some(&nu),
        denominator: Some(&de),
        level: Some(&l),
        ..LongTable::new(&h, &c)
    };
    let mut b = SheetBuilder::new(&rb, "H");
    plain.add_rows(&mut b, 0..n);
    let by_plain = b
        .finish()
        .map(|s| format!("{s:?}"))
        .map_err(|e| e.to_string());
    assert_eq!(by_plain, by_row);
}

/// Reading a run of rows takes usual rows a quick way and leaves the rest to the general
/// path; on tables damaged every way a row can be (duplicates, spaces around ids and levels,
/// other spellings, a level and a value on one row, NaN, rows out of order, a group's id), the
/// sheet or the errors are the same as reading row by row.
#[test]
fn quick_reading_equals_row_by_row_on_damaged_tables() {
    let rb = Rulebook::builtin("demo").unwrap();
    let mut errors = 0;
    for seed in 1..40u64 {
        let mut evs = hospitals(&rb, 1, seed);
        evs[0].hospital = "H".into();
        let batch = table(&evs);
        let n = batch.num_rows();
        let (h, mut c, p, mut v, nu, de, mut l) = plain(&batch);
        let mut random = xorshift(seed);
        let mut next = move || random() % 64;
        let mut order: Vec<usize> = Vec::new();
        for r in 0..n {
            match next() {
                0 => order.extend([r, r]),
                1 if r + 1 < n => order.extend([r + 1, r]),
                _ => order.push(r),
            }
            match next() {
                2 => c[r] = c[r].as_ref().map(|s| format!(" {s} ")),
                3 => l[r] = l[r].as_ref().map(|_| "  ".into()),
                4 => l[r] = l[r].as_ref().map(|s| s.to_lowercase()),
                5 => l[r] = l[r].as_ref().map(|s| format!("{} ", s.to_uppercase())),
                6 => v[r] = v[r].map(|_| f64::NAN),
                7 if v[r].is_some() => l[r] = Some("B".into()),
                8 => c[r] = Some("P2".into()),
                9 if l[r].is_some() => v[r] = Some(1.0),
                10 => l[r] = l[r].as_ref().map(|_| "良好".into()),
                _ => {}
            }
        }
        let pick = |col: &Vec<Option<String>>| -> ArrayRef {
            Arc::new(
                order
                    .iter()
                    .map(|&r| col[r].clone())
                    .collect::<StringArray>(),
            )
        };
        let pickf = |col: &Vec<Option<f64>>| -> ArrayRef {
            Arc::new(order.iter().map(|&r| col[r]).collect::<Float64Array>())
        };
        let damaged = long_batch(
            [pick(&h), pick(&c), pick(&p), pick(&l)],
            [pickf(&v), pickf(&nu), pickf(&de)],
        );
        let by_row = read_sheet(&rb, &damaged, &|t, b| {
            (0..t.len()).for_each(|r| t.add_row(b, r))
        });
        let by_run = read_sheet(&rb, &damaged, &|t, b| t.add_rows(b, 0..t.len()));
        assert_eq!(by_run, by_row, "seed {seed}");
        errors += usize::from(by_row.is_err());
    }
    assert!(errors > 0, "the damage makes errors");
}

type Texts = Vec<Option<String>>;
type Numbers = Vec<Option<f64>>;

/// A long batch's columns as plain values ([`table`]'s order): hospital, criterion, period,
/// value, numerator, denominator, level.
fn plain(batch: &RecordBatch) -> (Texts, Texts, Texts, Numbers, Numbers, Numbers, Texts) {
    let (text, num) = (|k| strings(batch, k), |k| floats(batch, k));
    (text(0), text(1), text(2), num(3), num(4), num(5), text(6))
}

/// A string column of a batch as plain values.
fn strings(batch: &RecordBatch, k: usize) -> Vec<Option<String>> {
    let a = batch
        .column(k)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    (0..a.len())
        .map(|r| a.is_valid(r).then(|| a.value(r).to_string()))
        .collect()
}

/// A float column of a batch as plain values.
fn floats(batch: &RecordBatch, k: usize) -> Vec<Option<f64>> {
    let a = batch
        .column(k)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    (0..a.len())
        .map(|r| a.is_valid(r).then(|| a.value(r)))
        .collect()
}

/// A way of reading a table's rows into a sheet.
type Adder =
    dyn Fn(&sanjia::evidence::table::LongTable<'_>, &mut sanjia::evidence::SheetBuilder<'_>);

/// Hospital "H"'s sheet read from one batch by `add` (its `Debug` text), or its errors.
fn read_sheet(rb: &Rulebook, batch: &RecordBatch, add: &Adder) -> Result<String, String> {
    let cols = sanjia::evidence::arrow::columns(std::slice::from_ref(batch)).unwrap();
    let table = cols[0].table();
    let mut b = sanjia::evidence::SheetBuilder::new(rb, "H");
    add(&table, &mut b);
    b.finish()
        .map(|s| format!("{s:?}"))
        .map_err(|e| e.to_string())
}

/// Hospitals laid out alike are read by the row layout learned from an earlier one (see
/// `evidence::layout`). With cells damaged every way a cell can be in some hospitals (and a
/// few hospitals laid out otherwise), each hospital's sheet, or its errors, equals reading
/// its rows one by one, for `Utf8`, `LargeUtf8` and `Utf8View` columns.
#[test]
fn reading_by_layout_equals_row_by_row() {
    use arrow_array::{LargeStringArray, StringViewArray};
    use sanjia::evidence::table::group_rows;
    use sanjia::evidence::SheetBuilder;
    for name in ["demo", "cn-tertiary-2022"] {
        let rb = Rulebook::builtin(name).unwrap();
        for seed in 1..5u64 {
            let evs = hospitals_leaving_out(&rb, 24, seed, 0);
            let batch = table(&evs);
            let n = batch.num_rows();
            let (h, mut c, mut p, mut v, mut nu, mut de, mut l) = plain(&batch);
            let mut random = xorshift(seed);
            let mut next = move || random() % 400;
            for r in 0..n {
                match next() {
                    0 => l[r] = l[r].as_ref().map(|_| "Z".into()),
                    1 => l[r] = l[r].as_ref().map(|s| format!(" {s} ")),
                    2 => l[r] = l[r].as_ref().map(|s| s.to_lowercase()),
                    3 => l[r] = l[r].as_ref().map(|_| "  ".into()),
                    4 => l[r] = l[r].as_ref().map(|_| "良好".into()),
                    5 => v[r] = v[r].map(|_| f64::NAN),
                    6 if l[r].is_some() => v[r] = Some(1.0),
                    7 if l[r].is_none() => l[r] = Some("B".into()),
                    8 if l[r].is_none() => (v[r], nu[r], de[r]) = (None, Some(0.0), Some(0.0)),
                    9 if l[r].is_none() => (v[r], nu[r], de[r]) = (Some(250.0), None, None),
                    10 if v[r].is_some() => v[r] = Some(-1.0),
                    11 => c[r] = Some("no such criterion".into()),
                    12 => p[r] = Some("2021".into()),
                    13 if l[r].is_none() => l[r] = Some(String::new()),
                    14 if nu[r].is_some() => nu[r] = de[r].map(|d| d + 1.0),
                    // A level with a numerator, or a denominator alone (NaN too).
                    15 if l[r].is_some() => nu[r] = Some(3.0),
                    16 if l[r].is_some() => de[r] = Some(f64::NAN),
                    _ => {}
                }
            }
            // One hospital's rows swapped, one hospital's first row repeated.
            let mut order: Vec<usize> = (0..n).collect();
            order.swap(n / 3, n / 3 + 1);
            order.insert(2 * n / 3, 2 * n / 3);
            let texts = |col: &Vec<Option<String>>| -> Vec<Option<String>> {
                order.iter().map(|&r| col[r].clone()).collect()
            };
            let numbers = |col: &Vec<Option<f64>>| -> ArrayRef {
                Arc::new(order.iter().map(|&r| col[r]).collect::<Float64Array>())
            };
            let [h, c, p, l] = [&h, &c, &p, &l].map(texts);
            type Strings = fn(&[Option<String>]) -> ArrayRef;
            let kinds: [(&str, Strings); 3] = [
                ("Utf8", |v| {
                    Arc::new(v.iter().map(|s| s.as_deref()).collect::<StringArray>())
                }),
                ("LargeUtf8", |v| {
                    Arc::new(v.iter().map(|s| s.as_deref()).collect::<LargeStringArray>())
                }),
                ("Utf8View", |v| {
                    Arc::new(v.iter().map(|s| s.as_deref()).collect::<StringViewArray>())
                }),
            ];
            for (kind, strings) in kinds {
                let damaged = long_batch(
                    [strings(&h), strings(&c), strings(&p), strings(&l)],
                    [numbers(&v), numbers(&nu), numbers(&de)],
                );
                // Split, so that a hospital's rows also cross from one batch to the next.
                let parts = split(&damaged, 1_000);
                let cols = sanjia::evidence::arrow::columns(&parts).unwrap();
                let tables: Vec<_> = cols.iter().map(|c| c.table()).collect();
                let (groups, orphans) = group_rows(&tables);
                assert!(orphans.is_empty());
                let mut b = SheetBuilder::new(&rb, "");
                let (mut errors, mut fine) = (0, 0);
                for (hospital, runs) in &groups {
                    let got = b
                        .table_rows(&tables, hospital, runs)
                        .map(|s| format!("{s:?}"))
                        .map_err(|e| e.to_string());
                    let mut one = SheetBuilder::new(&rb, hospital);
                    for &(t, a, z) in runs {
                        let table = &tables[t as usize];
                        (a as usize..z as usize).for_each(|r| table.add_row(&mut one, r));
                    }
                    let want = one
                        .finish()
                        .map(|s| format!("{s:?}"))
                        .map_err(|e| e.to_string());
                    assert_eq!(got, want, "{name} seed {seed} {kind} {hospital}");
                    errors += usize::from(want.is_err());
                    fine += usize::from(want.is_ok());
                }
                assert!(
                    errors > 0 && fine > 0,
                    "{name} seed {seed}: {errors} / {fine}"
                );
            }
        }
    }
}

/// Grouping reads Arrow `Utf8` hospital ids in place and gallops over runs of one id; on ids
/// with spaces, nulls, empty cells, hospitals interleaved and patterns made to mislead the
/// galloping, in sliced arrays, the groups equal those of reading the ids one by one.
#[test]
fn grouping_in_place_equals_row_by_row() {
    use sanjia::evidence::table::{group_rows, LongTable};
    let pool: [Option<&str>; 9] = [
        Some("H1"),
        Some("H2"),
        Some(" H1"),
        Some("H1 "),
        Some("H10"),
        Some("医院甲"),
        Some(""),
        Some("  "),
        None,
    ];
    let mut random = xorshift(0x2545_F491_4F6C_DD1D);
    let mut next = move |m: u64| (random() % m) as usize;
    for case in 0..300 {
        let mut ids: Vec<Option<&str>> = Vec::new();
        let len = 1 + next(3_000);
        while ids.len() < len {
            let id = pool[next(pool.len() as u64)];
            match case % 3 {
                // Runs of random lengths.
                0 => ids.extend(std::iter::repeat_n(id, 1 + next(300))),
                // One id with another every k rows (galloping lands on the first id).
                1 => {
                    let k = 2 + next(40);
                    ids.extend((0..len).map(|i| if i % k == k - 1 { pool[1] } else { pool[0] }));
                }
                // Ids in no order.
                _ => ids.push(id),
            }
        }
        ids.truncate(len);
        let skip = next(ids.len() as u64);
        let whole = StringArray::from(ids.clone());
        let arrow: ArrayRef = Arc::new(whole.slice(skip, ids.len() - skip));
        let plain: Vec<Option<String>> = ids[skip..].iter().map(|s| s.map(String::from)).collect();
        let crit = vec!["x"; plain.len()];
        let in_place = sanjia::evidence::arrow::text_column("hospital_id", &arrow).unwrap();
        let a = group_rows(&[LongTable::new(&in_place, &crit)]);
        let b = group_rows(&[LongTable::new(&plain, &crit)]);
        assert_eq!(a, b, "case {case}");
    }
}
