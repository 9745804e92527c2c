"""Loads the safetensors written by scripts/torch-roundtrip.ts into PyTorch (torchcfm's MLP layout)
and prints the largest difference between PyTorch's velocities and ours (not shipped).
Run: npx tsx scripts/torch-roundtrip.ts .tmp/roundtrip && $(bench/setup-python.sh) scripts/torch-roundtrip.py .tmp/roundtrip"""
import json
import os
import sys

import torch
from safetensors.torch import load_file

torch.set_num_threads(1)
folder = sys.argv[1] if len(sys.argv) > 1 else ".tmp/roundtrip"
ref = json.load(open(os.path.join(folder, "ours.json")))
x = torch.tensor(ref["x"], dtype=torch.float64).reshape(-1, 2)
t = torch.tensor(ref["t"], dtype=torch.float64)
for name, dtype, key in [("ours-f64.safetensors", torch.float64, "velocities"), ("ours-f32.safetensors", torch.float32, "velocitiesF32Weights")]:
    net = torch.nn.Sequential(torch.nn.Linear(3, 64), torch.nn.SELU(), torch.nn.Linear(64, 64), torch.nn.SELU(),
                              torch.nn.Linear(64, 64), torch.nn.SELU(), torch.nn.Linear(64, 2)).to(dtype)
    state = {k[len("net."):]: v for k, v in load_file(os.path.join(folder, name)).items()}
    net.load_state_dict(state, strict=True)
    with torch.no_grad():
        u = net(torch.cat([x, t[:, None]], -1).to(dtype)).double()
    expect = torch.tensor(ref[key], dtype=torch.float64).reshape(-1, 2)
    print(json.dumps({"file": name, "torch_dtype": str(dtype), "max_abs_diff_to_ours": float((u - expect).abs().max())}))
