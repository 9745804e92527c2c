;; Pricing of the network simplex (src/couplings/network-simplex.ts, src/engine/simplex-f64.ts), f64x2 SIMD.
;; price: block search over the rows of the transportation problem. C [n, m] row-major at byte c, the node
;;   potentials pi at byte pi (rows 0..n-1, then the m columns). From row `start`, cyclically, each row's most
;;   negative reduced cost C_ij + pi_i - pi_j is found as min_j (C_ij - pi_j) below lim = min - pi_i, in four
;;   chains by j mod 4 (the lanes of two f64x2 registers; a tail of m mod 4 columns joins chain 0), each chain
;;   keeping its first strict minimum, then chains 1, 2, 3 replace chain 0 only when strictly smaller: the
;;   order of comparisons of the scalar pricing it replaces, so both choose the same arc. After every `block`
;;   rows the best arc so far, if any, is returned with the row after the block written to the i32 at byte
;;   `next`; after all n rows the best arc or -1 (`next` untouched). min starts at -tol. Arc e = i m + j.
;;   Compiled into modules.ts by scripts/build-wasm.mjs.
(module
  (memory (export "memory") 1)
  (func (export "price") (param $c i32) (param $pi i32) (param $n i32) (param $m i32) (param $start i32)
    (param $block i32) (param $tol f64) (param $next i32) (result i32)
    (local $min f64) (local $best i32) (local $count i32) (local $step i32) (local $i i32)
    (local $row i32) (local $pii f64) (local $lim f64) (local $j i32) (local $m4 i32) (local $cj i32) (local $pj i32)
    (local $min01 v128) (local $min23 v128) (local $best01 v128) (local $best23 v128)
    (local $j01 v128) (local $j23 v128) (local $d v128) (local $mask v128)
    (local $piCol i32) (local $rowBytes i32)
    (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $m3 f64)
    (local $b0 i64) (local $b1 i64) (local $b2 i64) (local $b3 i64) (local $h f64)
    (local.set $min (f64.neg (local.get $tol)))
    (local.set $best (i32.const -1))
    (local.set $piCol (i32.add (local.get $pi) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $rowBytes (i32.shl (local.get $m) (i32.const 3)))
    (local.set $m4 (i32.and (local.get $m) (i32.const -4)))
    (local.set $i (local.get $start))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $step) (local.get $n)))
      (local.set $row (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $pii (f64.load (i32.add (local.get $pi) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $lim (f64.sub (local.get $min) (local.get $pii)))
      (local.set $min01 (f64x2.splat (local.get $lim)))
      (local.set $min23 (local.get $min01))
      (local.set $best01 (i64x2.splat (i64.const -1)))
      (local.set $best23 (local.get $best01))
      (local.set $j01 (v128.const i64x2 0 1))
      (local.set $j23 (v128.const i64x2 2 3))
      (local.set $cj (local.get $row))
      (local.set $pj (local.get $piCol))
      (local.set $j (i32.const 0))
      (block $vdone (loop $cols
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $m4)))
        (local.set $d (f64x2.sub (v128.load (local.get $cj)) (v128.load (local.get $pj))))
        (local.set $mask (f64x2.lt (local.get $d) (local.get $min01)))
        (local.set $min01 (v128.bitselect (local.get $d) (local.get $min01) (local.get $mask)))
        (local.set $best01 (v128.bitselect (local.get $j01) (local.get $best01) (local.get $mask)))
        (local.set $d (f64x2.sub (v128.load offset=16 (local.get $cj)) (v128.load offset=16 (local.get $pj))))
        (local.set $mask (f64x2.lt (local.get $d) (local.get $min23)))
        (local.set $min23 (v128.bitselect (local.get $d) (local.get $min23) (local.get $mask)))
        (local.set $best23 (v128.bitselect (local.get $j23) (local.get $best23) (local.get $mask)))
        (local.set $j01 (i64x2.add (local.get $j01) (v128.const i64x2 4 4)))
        (local.set $j23 (i64x2.add (local.get $j23) (v128.const i64x2 4 4)))
        (local.set $cj (i32.add (local.get $cj) (i32.const 32)))
        (local.set $pj (i32.add (local.get $pj) (i32.const 32)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols)))
      (local.set $m0 (f64x2.extract_lane 0 (local.get $min01)))
      (local.set $m1 (f64x2.extract_lane 1 (local.get $min01)))
      (local.set $m2 (f64x2.extract_lane 0 (local.get $min23)))
      (local.set $m3 (f64x2.extract_lane 1 (local.get $min23)))
      (local.set $b0 (i64x2.extract_lane 0 (local.get $best01)))
      (local.set $b1 (i64x2.extract_lane 1 (local.get $best01)))
      (local.set $b2 (i64x2.extract_lane 0 (local.get $best23)))
      (local.set $b3 (i64x2.extract_lane 1 (local.get $best23)))
      ;; the tail joins chain 0
      (block $tdone (loop $tail
        (br_if $tdone (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $h (f64.sub (f64.load (local.get $cj)) (f64.load (local.get $pj))))
        (if (f64.lt (local.get $h) (local.get $m0)) (then
          (local.set $m0 (local.get $h))
          (local.set $b0 (i64.extend_i32_u (local.get $j)))))
        (local.set $cj (i32.add (local.get $cj) (i32.const 8)))
        (local.set $pj (i32.add (local.get $pj) (i32.const 8)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail)))
      (if (f64.lt (local.get $m1) (local.get $m0)) (then (local.set $m0 (local.get $m1)) (local.set $b0 (local.get $b1))))
      (if (f64.lt (local.get $m2) (local.get $m0)) (then (local.set $m0 (local.get $m2)) (local.set $b0 (local.get $b2))))
      (if (f64.lt (local.get $m3) (local.get $m0)) (then (local.set $m0 (local.get $m3)) (local.set $b0 (local.get $b3))))
      (if (i64.ge_s (local.get $b0) (i64.const 0)) (then
        (local.set $min (f64.add (local.get $m0) (local.get $pii)))
        (local.set $best (i32.add (i32.mul (local.get $i) (local.get $m)) (i32.wrap_i64 (local.get $b0))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eq (local.get $i) (local.get $n)) (then (local.set $i (i32.const 0))))
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (if (i32.eq (local.get $count) (local.get $block)) (then
        (if (i32.ge_s (local.get $best) (i32.const 0)) (then
          (i32.store (local.get $next) (local.get $i))
          (return (local.get $best))))
        (local.set $count (i32.const 0))))
      (local.set $step (i32.add (local.get $step) (i32.const 1)))
      (br $rows)))
    (local.get $best)))
