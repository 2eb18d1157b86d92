"""PyTorch timings for the shapes of backend-cuda's GpuCheck benchmark, on the same GPU, and the ratio table.

    python3 bench_torch.py JAVA_BENCH_JSON OUT_JSON

Reads the GEMM shapes and layer names from the Java results, times the same work with PyTorch (fp32 with TF32 off,
as SAT runs fp32; and fp16, as the official CogView2 scripts run), writes OUT_JSON and prints ours / PyTorch.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

HIDDEN, HEADS, FFN = 3072, 48, 4 * 3072


def timed(fn, min_ms=300.0):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    torch.cuda.synchronize()
    once = max(start.elapsed_time(end), 1e-3)
    reps = int(max(5, min(200, min_ms / once)))
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / reps


def gemm(m, n, k):
    w16 = (torch.rand(n, k, device="cuda", dtype=torch.float16) - 0.5) * (3.46 / math.sqrt(k))
    x32 = torch.randn(m, k, device="cuda")
    w32, x16 = w16.float(), x32.half()
    return timed(lambda: F.linear(x32, w32)), timed(lambda: F.linear(x16, w16))


def layer(dtype, batch=4, prompt=464):
    cap = prompt + 8
    d = HIDDEN // HEADS

    def weights(n, k):
        return ((torch.rand(n, k, device="cuda") - 0.5) * (3.46 / math.sqrt(k))).to(dtype)

    qkv, dense, up, down = weights(3 * HIDDEN, HIDDEN), weights(HIDDEN, HIDDEN), weights(FFN, HIDDEN), weights(HIDDEN, FFN)
    k_cache = torch.zeros(batch, HEADS, cap, d, device="cuda", dtype=dtype)
    v_cache = torch.zeros_like(k_cache)
    ln = lambda t: F.layer_norm(t, (HIDDEN,), eps=1e-5)
    out = []
    for length, key_length, offset in ((prompt, prompt, 0), (1, prompt + 1, prompt)):
        x = torch.randn(batch, length, HIDDEN, device="cuda", dtype=dtype)

        def step():
            a = ln(x)
            q, k, v = F.linear(a, qkv).split(HIDDEN, dim=-1)
            q = q.view(batch, length, HEADS, d).transpose(1, 2)
            k_cache[:, :, offset:offset + length] = k.view(batch, length, HEADS, d).transpose(1, 2)
            v_cache[:, :, offset:offset + length] = v.view(batch, length, HEADS, d).transpose(1, 2)
            s = torch.matmul(q / math.sqrt(d), k_cache[:, :, :key_length].transpose(-1, -2))
            att = torch.matmul(torch.softmax(s.float(), dim=-1).to(dtype), v_cache[:, :, :key_length])
            att = att.transpose(1, 2).reshape(batch, length, HIDDEN)
            x1 = x + ln(F.linear(att, dense))
            f = F.linear(F.gelu(F.linear(ln(x1), up), approximate="tanh"), down)
            return x1 + ln(f)

        with torch.no_grad():
            out.append(timed(step))
    return out


def main():
    java = json.load(open(sys.argv[1]))
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print("PyTorch", torch.__version__, "on", torch.cuda.get_device_name(), "(TF32 off)")
    results, rows = [], []
    ours = {r["name"]: r for r in java}
    for r in java:
        if r["name"].startswith("gemm_"):
            fp32, fp16 = gemm(r["m"], r["n"], r["k"])
            results.append({"name": r["name"], "torch_fp32_ms": fp32, "torch_fp16_ms": fp16})
            rows.append((r["name"], r["simt_ms"], fp32, r["tc_ms"], fp16))
    with torch.no_grad():
        p32, d32 = layer(torch.float32)
        p16, d16 = layer(torch.float16)
    results += [{"name": "layer_prefill", "torch_fp32_ms": p32, "torch_fp16_ms": p16},
                {"name": "layer_decode", "torch_fp32_ms": d32, "torch_fp16_ms": d16}]
    for phase, t32, t16 in (("prefill", p32, p16), ("decode", d32, d16)):
        rows.append(("layer_" + phase, ours["layer_simt_" + phase]["ms"], t32, ours["layer_tc_" + phase]["ms"], t16))
    json.dump(results, open(sys.argv[2], "w"), indent=2)

    print(f"{'work':<24}{'ours fp32':>11}{'torch fp32':>12}{'ratio':>8}{'ours tc':>11}{'torch fp16':>12}{'ratio':>8}")
    for name, ours32, t32, ourstc, t16 in rows:
        print(f"{name:<24}{ours32:>11.4f}{t32:>12.4f}{ours32 / t32:>8.2f}{ourstc:>11.4f}{t16:>12.4f}{ourstc / t16:>8.2f}")
    print("(milliseconds per call; ratio = ours / PyTorch, below 1 is faster. 'ours fp32': the default, certified"
          " path; 'ours tc': opt-in tensor cores with fp32 activations elsewhere; one synthetic CogLM layer, x48"
          " for the model)")


if __name__ == "__main__":
    main()
