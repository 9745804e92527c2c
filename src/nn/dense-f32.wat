;; Float32 inference kernels for src/nn/float32.ts (opt-in float32 path; the library's default is float64).
;; dense: C = act(A Wt + bias) with A [m, k], Wt [k, p] (the transposed weight), bias [p], C [m, p], all f32,
;; row-major at byte offsets a, w, b, c; m a multiple of 4 and p a multiple of 8 (the caller pads).
;; 4 x 8 register tiles: each step broadcasts one entry of 4 rows of A (v128.load32_splat) against two
;; f32x4 vectors of a row of Wt; 8 accumulators start at the bias. After each block of 4 rows the
;; activation runs over those 4 p entries while they are in cache.
;; act: 0 none, 1 silu x / (1 + e^-x), 2 relu, 3 selu, 4 tanh, 5 gelu (tanh form).
;; exp(x) = 2^k p(r), k = round(x log2 e), r = x - k ln 2 (two-part split), p the degree-7 Taylor
;; polynomial (relative error below 2e-9 on |r| <= ln2/2), x clamped to [-87, 87] (normal results) by
;; pmin/pmax (single instructions; a NaN first operand passes through); 2^k from the low bits of
;; k + 1.5 2^23, which hold the integer k: (bits + 127) << 23.
;; Rebuild the base64 in dense-f32.ts with wabt (npm "wabt", installed outside the project):
;; (await require("wabt")()).parseWat("dense-f32.wat", text, { simd: true }).toBinary({}).buffer, base64-encoded.
(module
  (memory (export "memory") 1)
  (func $exp (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (f32x4.splat (f32.const -87.0))) (f32x4.splat (f32.const 87.0))))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504)))))
    (local.set $r (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693145752))))
      (f32x4.mul (local.get $k) (f32x4.splat (f32.const 1.42860677e-6)))))
    (local.set $p (f32x4.splat (f32.const 1.98412698e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.38888889e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.33333333e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.16666667e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.166666667))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.0))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.0))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (f32x4.add (local.get $k) (f32x4.splat (f32.const 12582912.0))) (i32x4.splat (i32.const 127))) (i32.const 23))))
  ;; tanh(y) = 1 - 2 / (e^(2y) + 1)
  (func $tanh (param $y v128) (result v128)
    (f32x4.sub (f32x4.splat (f32.const 1.0))
      (f32x4.div (f32x4.splat (f32.const 2.0))
        (f32x4.add (call $exp (f32x4.add (local.get $y) (local.get $y))) (f32x4.splat (f32.const 1.0))))))
  (func $act (param $c i32) (param $bytes i32) (param $kind i32)
    (local $i i32) (local $v v128) (local $y v128)
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (local.set $v (v128.load (i32.add (local.get $c) (local.get $i))))
      (block $set
        (if (i32.eq (local.get $kind) (i32.const 1)) (then
          (local.set $y (f32x4.div (local.get $v) (f32x4.add (f32x4.splat (f32.const 1.0)) (call $exp (f32x4.neg (local.get $v))))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 2)) (then
          (local.set $y (f32x4.pmax (local.get $v) (f32x4.splat (f32.const 0.0))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 3)) (then
          (local.set $y (f32x4.mul (f32x4.splat (f32.const 1.05070099))
            (v128.bitselect (local.get $v)
              (f32x4.mul (f32x4.splat (f32.const 1.67326324))
                (f32x4.sub (call $exp (f32x4.pmin (local.get $v) (f32x4.splat (f32.const 0.0)))) (f32x4.splat (f32.const 1.0))))
              (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0.0))))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 4)) (then
          (local.set $y (call $tanh (local.get $v)))
          (br $set)))
        ;; gelu: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        (local.set $y (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $v))
          (f32x4.add (f32x4.splat (f32.const 1.0))
            (call $tanh (f32x4.mul (f32x4.splat (f32.const 0.797884561))
              (f32x4.add (local.get $v)
                (f32x4.mul (f32x4.splat (f32.const 0.044715)) (f32x4.mul (local.get $v) (f32x4.mul (local.get $v) (local.get $v)))))))))))
      (v128.store (i32.add (local.get $c) (local.get $i)) (local.get $y))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))
;; actSlope: h = act(z) and s = act'(z), elementwise over `bytes` bytes (a multiple of 16), kind 1..5 as in
;; dense (the same exp and tanh); silu' = g (1 + z (1 - g)) with g = 1 / (1 + e^-z), relu' = [z > 0],
;; selu' = lambda (z > 0 ? 1 : alpha e^z), tanh' = 1 - tanh^2, gelu' = (1 + u) / 2 + z (1 - u^2) c (1 + 3 k z^2) / 2
;; with u = tanh(c (z + k z^3)). Forward-mode tangents (jvp) multiply by s.
  (func (export "actSlope") (param $z i32) (param $h i32) (param $s i32) (param $bytes i32) (param $kind i32)
    (local $i i32) (local $v v128) (local $y v128) (local $d v128) (local $g v128) (local $u v128) (local $m v128)
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (local.set $v (v128.load (i32.add (local.get $z) (local.get $i))))
      (block $set
        (if (i32.eq (local.get $kind) (i32.const 1)) (then
          (local.set $g (f32x4.div (f32x4.splat (f32.const 1.0)) (f32x4.add (f32x4.splat (f32.const 1.0)) (call $exp (f32x4.neg (local.get $v))))))
          (local.set $y (f32x4.mul (local.get $v) (local.get $g)))
          (local.set $d (f32x4.mul (local.get $g)
            (f32x4.add (f32x4.splat (f32.const 1.0)) (f32x4.mul (local.get $v) (f32x4.sub (f32x4.splat (f32.const 1.0)) (local.get $g))))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 2)) (then
          (local.set $m (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0.0))))
          (local.set $y (f32x4.pmax (local.get $v) (f32x4.splat (f32.const 0.0))))
          (local.set $d (v128.and (local.get $m) (f32x4.splat (f32.const 1.0))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 3)) (then
          (local.set $m (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0.0))))
          (local.set $g (call $exp (f32x4.pmin (local.get $v) (f32x4.splat (f32.const 0.0)))))
          (local.set $y (f32x4.mul (f32x4.splat (f32.const 1.05070099))
            (v128.bitselect (local.get $v)
              (f32x4.mul (f32x4.splat (f32.const 1.67326324)) (f32x4.sub (local.get $g) (f32x4.splat (f32.const 1.0))))
              (local.get $m))))
          (local.set $d (f32x4.mul (f32x4.splat (f32.const 1.05070099))
            (v128.bitselect (f32x4.splat (f32.const 1.0)) (f32x4.mul (f32x4.splat (f32.const 1.67326324)) (local.get $g)) (local.get $m))))
          (br $set)))
        (if (i32.eq (local.get $kind) (i32.const 4)) (then
          (local.set $y (call $tanh (local.get $v)))
          (local.set $d (f32x4.sub (f32x4.splat (f32.const 1.0)) (f32x4.mul (local.get $y) (local.get $y))))
          (br $set)))
        (local.set $u (call $tanh (f32x4.mul (f32x4.splat (f32.const 0.797884561))
          (f32x4.add (local.get $v)
            (f32x4.mul (f32x4.splat (f32.const 0.044715)) (f32x4.mul (local.get $v) (f32x4.mul (local.get $v) (local.get $v))))))))
        (local.set $y (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 0.5)) (local.get $v)) (f32x4.add (f32x4.splat (f32.const 1.0)) (local.get $u))))
        (local.set $d (f32x4.add
          (f32x4.mul (f32x4.splat (f32.const 0.5)) (f32x4.add (f32x4.splat (f32.const 1.0)) (local.get $u)))
          (f32x4.mul (f32x4.mul (f32x4.splat (f32.const 0.398942280)) (local.get $v))
            (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1.0)) (f32x4.mul (local.get $u) (local.get $u)))
              (f32x4.add (f32x4.splat (f32.const 1.0)) (f32x4.mul (f32x4.splat (f32.const 0.134145)) (f32x4.mul (local.get $v) (local.get $v)))))))))
      (v128.store (i32.add (local.get $h) (local.get $i)) (local.get $y))
      (v128.store (i32.add (local.get $s) (local.get $i)) (local.get $d))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))
  ;; mul: t = t * s elementwise over `bytes` bytes (a multiple of 16).
  (func (export "mul") (param $t i32) (param $s i32) (param $bytes i32)
    (local $i i32)
    (local.set $i (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
      (v128.store (i32.add (local.get $t) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $t) (local.get $i))) (v128.load (i32.add (local.get $s) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next))))
  (func (export "dense") (param $a i32) (param $w i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $p i32) (param $kind i32)
    (local $r i32) (local $o i32) (local $i i32) (local $aRow i32) (local $cRow i32) (local $wp i32) (local $wEnd i32) (local $ap i32)
    (local $pBytes i32) (local $kBytes i32)
    (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128) (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $pBytes (i32.shl (local.get $p) (i32.const 2)))
    (local.set $kBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $m)))
      (local.set $aRow (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $kBytes))))
      (local.set $cRow (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $pBytes))))
      (local.set $o (i32.const 0))
      (block $odone (loop $oloop
        (br_if $odone (i32.ge_u (local.get $o) (local.get $pBytes)))
        (local.set $s00 (v128.load (i32.add (local.get $b) (local.get $o))))
        (local.set $s01 (v128.load offset=16 (i32.add (local.get $b) (local.get $o))))
        (local.set $s10 (local.get $s00)) (local.set $s11 (local.get $s01))
        (local.set $s20 (local.get $s00)) (local.set $s21 (local.get $s01))
        (local.set $s30 (local.get $s00)) (local.set $s31 (local.get $s01))
        (local.set $wp (i32.add (local.get $w) (local.get $o)))
        (local.set $ap (local.get $aRow))
        (local.set $wEnd (i32.add (local.get $aRow) (local.get $kBytes)))
        (block $idone (loop $iloop
          (br_if $idone (i32.ge_u (local.get $ap) (local.get $wEnd)))
          (local.set $w0 (v128.load (local.get $wp)))
          (local.set $w1 (v128.load offset=16 (local.get $wp)))
          (local.set $x (v128.load32_splat (local.get $ap)))
          (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $kBytes))))
          (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (i32.shl (local.get $kBytes) (i32.const 1)))))
          (local.set $s20 (f32x4.add (local.get $s20) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $s21 (f32x4.add (local.get $s21) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat (i32.add (local.get $ap) (i32.mul (local.get $kBytes) (i32.const 3)))))
          (local.set $s30 (f32x4.add (local.get $s30) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $s31 (f32x4.add (local.get $s31) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
          (local.set $wp (i32.add (local.get $wp) (local.get $pBytes)))
          (br $iloop)))
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
      (if (i32.ne (local.get $kind) (i32.const 0)) (then
        (call $act (local.get $cRow) (i32.shl (local.get $pBytes) (i32.const 2)) (local.get $kind))))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $rloop))))
)
