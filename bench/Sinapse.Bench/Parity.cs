using TorchSharp;
using static TorchSharp.torch;

namespace Sinapse.Bench;

/// <summary>
/// <c>--parity</c>: the same small network in Sinapse and libtorch with the same weights and input, comparing the
/// output and every gradient. Exit code 1 when any value differs by more than 1e-5.
/// </summary>
/// <remarks>
/// Conv2d(3→4, k3, stride 2, padding 1) → ReLU → MaxPool2d(2), weights in PyTorch's layout, input 2×3×9×9; and
/// LSTM(4→6), batch first, input 2×5×4 with initial states: output, h_n, c_n and the gradients of input, states and
/// the four parameters (by PyTorch's names).
/// </remarks>
public static class Parity
{
    const float Tolerance = 1e-5f;

    public static int Run()
    {
        ElfVersionRelax.RelaxTorchSharp(AppContext.BaseDirectory);
        return Compare();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static int Compare()
    {
        bool ok = true;
        void Check(string what, Tensor ours, torch.Tensor theirs)
        {
            var a = ours.ToArray();
            var b = theirs.detach().contiguous().data<float>().ToArray();
            float worst = a.Length == b.Length ? a.Zip(b, (p, q) => MathF.Abs(p - q)).Max() : float.PositiveInfinity;
            bool pass = worst <= Tolerance && ours.Shape.Select(d => (long)d).SequenceEqual(theirs.shape);
            ok &= pass;
            Console.WriteLine($"{what,-22} shape {string.Join("×", ours.Shape),-10} max |Sinapse − libtorch| = {worst:E2}  {(pass ? "ok" : "FAIL")}");
        }
        Convolution(Check);
        Lstm(Check);
        return ok ? 0 : 1;
    }

    static torch.Tensor Torch(Tensor t, bool grad = false) => torch.tensor(t.ToArray(), t.Shape.Select(d => (long)d).ToArray(), requires_grad: grad);

    static void Convolution(Action<string, Tensor, torch.Tensor> check)
    {
        var g = new Generator(7);
        var conv = new Layers.Conv2d(3, 4, 3, stride: 2, padding: 1, gen: g);
        var x = Tensor.Randn([2, 3, 9, 9], g).RequireGrad();
        var upstream = Tensor.Randn([2, 4, 2, 2], g);
        var y = conv.Call(x).Relu().MaxPool2d(2);
        (y * upstream).Sum().Backward();

        var tx = Torch(x, grad: true);
        var tw = Torch(conv.Weight, grad: true);
        var tb = Torch(conv.Bias!, grad: true);
        var ty = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(tx, tw, tb, strides: [2, 2], padding: [1, 1])), [2, 2]);
        (ty * Torch(upstream)).sum().backward();

        check("conv output", y, ty);
        check("conv input grad", x.Grad!, tx.grad!);
        check("conv weight grad", conv.Weight.Grad!, tw.grad!);
        check("conv bias grad", conv.Bias.Grad!, tb.grad!);
    }

    static void Lstm(Action<string, Tensor, torch.Tensor> check)
    {
        var g = new Generator(8);
        var lstm = new Layers.LSTM(4, 6, gen: g);
        var x = Tensor.Randn([2, 5, 4], g).RequireGrad();
        var h0 = Tensor.Randn([1, 2, 6], g).RequireGrad();
        var c0 = Tensor.Randn([1, 2, 6], g).RequireGrad();
        var (uy, uh, uc) = (Tensor.Randn([2, 5, 6], g), Tensor.Randn([1, 2, 6], g), Tensor.Randn([1, 2, 6], g));
        var (y, (h, c)) = lstm.Call(x, (h0, c0));
        ((y * uy).Sum() + (h * uh).Sum() + (c! * uc).Sum()).Backward();

        var tl = nn.LSTM(4, 6, batchFirst: true);
        using (torch.no_grad())
            foreach (var (name, p) in tl.named_parameters())
                p.copy_(Torch(lstm.NamedParameters().Single(q => q.Name == name).Parameter));
        var (tx, th0, tc0) = (Torch(x, grad: true), Torch(h0, grad: true), Torch(c0, grad: true));
        var (ty, th, tc) = tl.forward(tx, (th0, tc0));
        ((ty * Torch(uy)).sum() + (th * Torch(uh)).sum() + (tc * Torch(uc)).sum()).backward();

        check("lstm output", y, ty);
        check("lstm h_n", h, th);
        check("lstm c_n", c, tc);
        check("lstm input grad", x.Grad!, tx.grad!);
        check("lstm h0 grad", h0.Grad!, th0.grad!);
        check("lstm c0 grad", c0.Grad!, tc0.grad!);
        foreach (var (name, p) in tl.named_parameters())
            check($"lstm {name} grad", lstm.NamedParameters().Single(q => q.Name == name).Parameter.Grad!, p.grad!);
    }
}
