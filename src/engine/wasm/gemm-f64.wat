;; Float64 kernel C = A B (+ bias per column, or + C) with f64x2 SIMD, for src/nn/gemm-simd.ts.
;; B is [k, p] at byte offset b, packed by groups of 4 columns (B[i, 4 g + c] at byte b + 8 (4 k g + 4 i + c)),
;; so that a tile's B stream is contiguous (rows of a row-major B p * 8 bytes apart fall into a few L1 sets
;; and evict each other); entry (r, i) of A sits at byte a + r rs + i cs, so one kernel
;; reads A ([m, k] row-major: rs = 8 k, cs = 8) and A^T (A stored [k, m]: rs = 8, cs = 8 m) without copies.
;; C is [m, p] row-major at c; m a multiple of 4, p a multiple of 4 (the caller pads).
;; 4 x 4 register tiles: each step broadcasts one entry of 4 rows of A (v128.load64_splat) against two
;; f64x2 vectors of a row of B; the 8 accumulators start at the bias row (init 0) or at C (init 1).
;; Each entry of C is a left-to-right sum over i started at the bias (the scalar kernel adds the bias last,
;; so the two agree to rounding). init: bit 0 starts at C instead of the bias; bit 1 multiplies each result
;; entrywise by the [m, p] matrix at byte offset scale (laid out like C) before the store.
;; Cache blocking: i runs in chunks of 256 and the columns in panels of 64, so a tile's B stream (8 KiB,
;; contiguous) and its rows of A stay in cache (measured against chunks of 64 with B packed: train-2d-wide
;; f64 one thread 216 -> 202 ms); between chunks an entry's partial sum is
;; stored in C and reloaded (exact), so each entry is still one left-to-right sum over i. (Without
;; the chunks, the weight gradient A^T B with k = batch rows streamed all of A and B once per tile.)
;; Compiled into modules.ts by scripts/build-wasm.mjs.
(module
  (memory (export "memory") 1)
  (func (export "gemm") (param $a i32) (param $rs i32) (param $cs i32) (param $b i32) (param $c i32)
    (param $m i32) (param $k i32) (param $p i32) (param $init i32) (param $bias i32) (param $scale i32)
    (local $r i32) (local $o i32) (local $i i32) (local $aRow i32) (local $cRow i32) (local $bp i32) (local $ap i32) (local $end i32)
    (local $pBytes i32) (local $rs2 i32) (local $rs3 i32) (local $kGroup i32)
    (local $i0 i32) (local $i1 i32) (local $o0 i32) (local $o1 i32) (local $first i32) (local $last i32)
    (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128) (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $pBytes (i32.shl (local.get $p) (i32.const 3)))
    (local.set $kGroup (i32.shl (local.get $k) (i32.const 5)))
    (local.set $rs2 (i32.shl (local.get $rs) (i32.const 1)))
    (local.set $rs3 (i32.add (local.get $rs2) (local.get $rs)))
    (local.set $i0 (i32.const 0))
    (loop $kloop
      (local.set $i1 (i32.add (local.get $i0) (i32.const 256)))
      (if (i32.gt_u (local.get $i1) (local.get $k)) (then (local.set $i1 (local.get $k))))
      (local.set $first (i32.eqz (local.get $i0)))
      (local.set $last (i32.eq (local.get $i1) (local.get $k)))
      (local.set $o0 (i32.const 0))
      (block $pdone (loop $ploop
        (br_if $pdone (i32.ge_u (local.get $o0) (local.get $pBytes)))
        (local.set $o1 (i32.add (local.get $o0) (i32.const 512)))
        (if (i32.gt_u (local.get $o1) (local.get $pBytes)) (then (local.set $o1 (local.get $pBytes))))
        (local.set $r (i32.const 0))
        (block $rdone (loop $rloop
          (br_if $rdone (i32.ge_u (local.get $r) (local.get $m)))
          (local.set $aRow (i32.add (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $rs))) (i32.mul (local.get $i0) (local.get $cs))))
          (local.set $end (i32.add (local.get $a) (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $i1) (local.get $cs)))))
          (local.set $cRow (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $pBytes))))
          (local.set $o (local.get $o0))
          (block $odone (loop $oloop
            (br_if $odone (i32.ge_u (local.get $o) (local.get $o1)))
            (if (i32.and (local.get $first) (i32.eqz (i32.and (local.get $init) (i32.const 1))))
              (then
                (local.set $s00 (v128.load (i32.add (local.get $bias) (local.get $o))))
                (local.set $s01 (v128.load offset=16 (i32.add (local.get $bias) (local.get $o))))
                (local.set $s10 (local.get $s00)) (local.set $s11 (local.get $s01))
                (local.set $s20 (local.get $s00)) (local.set $s21 (local.get $s01))
                (local.set $s30 (local.get $s00)) (local.set $s31 (local.get $s01)))
              (else
                (local.set $i (i32.add (local.get $cRow) (local.get $o)))
              (local.set $s00 (v128.load (local.get $i)))
              (local.set $s01 (v128.load offset=16 (local.get $i)))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s10 (v128.load (local.get $i)))
              (local.set $s11 (v128.load offset=16 (local.get $i)))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s20 (v128.load (local.get $i)))
              (local.set $s21 (v128.load offset=16 (local.get $i)))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s30 (v128.load (local.get $i)))
              (local.set $s31 (v128.load offset=16 (local.get $i)))))
            (local.set $bp (i32.add (i32.add (local.get $b) (i32.mul (i32.shr_u (local.get $o) (i32.const 5)) (local.get $kGroup))) (i32.shl (local.get $i0) (i32.const 5))))
            (local.set $ap (local.get $aRow))
            (block $idone (loop $iloop
              (br_if $idone (i32.ge_u (local.get $ap) (local.get $end)))
              (local.set $w0 (v128.load (local.get $bp)))
              (local.set $w1 (v128.load offset=16 (local.get $bp)))
              (local.set $x (v128.load64_splat (local.get $ap)))
              (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (local.get $w0))))
              (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (local.get $w1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $rs))))
              (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x) (local.get $w0))))
              (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x) (local.get $w1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $rs2))))
              (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $x) (local.get $w0))))
              (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $x) (local.get $w1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $ap) (local.get $rs3))))
              (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $x) (local.get $w0))))
              (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $x) (local.get $w1))))
              (local.set $ap (i32.add (local.get $ap) (local.get $cs)))
              (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
              (br $iloop)))
            (if (i32.and (local.get $last) (i32.ne (i32.and (local.get $init) (i32.const 2)) (i32.const 0)))
              (then
                (local.set $i (i32.add (i32.add (local.get $scale) (i32.sub (local.get $cRow) (local.get $c))) (local.get $o)))
              (local.set $s00 (f64x2.mul (local.get $s00) (v128.load (local.get $i))))
              (local.set $s01 (f64x2.mul (local.get $s01) (v128.load offset=16 (local.get $i))))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s10 (f64x2.mul (local.get $s10) (v128.load (local.get $i))))
              (local.set $s11 (f64x2.mul (local.get $s11) (v128.load offset=16 (local.get $i))))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s20 (f64x2.mul (local.get $s20) (v128.load (local.get $i))))
              (local.set $s21 (f64x2.mul (local.get $s21) (v128.load offset=16 (local.get $i))))
              (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
              (local.set $s30 (f64x2.mul (local.get $s30) (v128.load (local.get $i))))
              (local.set $s31 (f64x2.mul (local.get $s31) (v128.load offset=16 (local.get $i))))))
            (local.set $i (i32.add (local.get $cRow) (local.get $o)))
          (v128.store (local.get $i) (local.get $s00))
          (v128.store offset=16 (local.get $i) (local.get $s01))
          (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
          (v128.store (local.get $i) (local.get $s10))
          (v128.store offset=16 (local.get $i) (local.get $s11))
          (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
          (v128.store (local.get $i) (local.get $s20))
          (v128.store offset=16 (local.get $i) (local.get $s21))
          (local.set $i (i32.add (local.get $i) (local.get $pBytes)))
          (v128.store (local.get $i) (local.get $s30))
          (v128.store offset=16 (local.get $i) (local.get $s31))
            (local.set $o (i32.add (local.get $o) (i32.const 32)))
            (br $oloop)))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br $rloop)))
        (local.set $o0 (local.get $o1))
        (br $ploop)))
      (local.set $i0 (local.get $i1))
      (br_if $kloop (i32.lt_u (local.get $i0) (local.get $k)))))
)
