using TorchSharp;
using static TorchSharp.torch;

namespace Sinapse.Bench;

/// <summary>
/// <c>--parity</c>: the same small network in Sinapse and libtorch with the same weights and input, comparing the
/// output and every gradient. Exit code 1 when any value differs by more than 1e-5.
/// </summary>
/// <remarks>Conv2d(3→4, k3, stride 2, padding 1) → ReLU → MaxPool2d(2), weights in PyTorch's layout, input 2×3×9×9.</remarks>
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
        var g = new Generator(7);
        var conv = new Layers.Conv2d(3, 4, 3, stride: 2, padding: 1, gen: g);
        var x = Tensor.Randn([2, 3, 9, 9], g).RequireGrad();
        var upstream = Tensor.Randn([2, 4, 2, 2], g);
        var y = conv.Call(x).Relu().MaxPool2d(2);
        (y * upstream).Sum().Backward();

        var tx = torch.tensor(x.ToArray(), [2, 3, 9, 9], requires_grad: true);
        var tw = torch.tensor(conv.Weight.ToArray(), [4, 3, 3, 3], requires_grad: true);
        var tb = torch.tensor(conv.Bias!.ToArray(), [4], requires_grad: true);
        var ty = nn.functional.max_pool2d(nn.functional.relu(nn.functional.conv2d(tx, tw, tb, strides: [2, 2], padding: [1, 1])), [2, 2]);
        (ty * torch.tensor(upstream.ToArray(), [2, 4, 2, 2])).sum().backward();

        bool ok = true;
        void Check(string what, Tensor ours, torch.Tensor theirs)
        {
            var a = ours.ToArray();
            var b = theirs.detach().contiguous().data<float>().ToArray();
            float worst = a.Length == b.Length ? a.Zip(b, (p, q) => MathF.Abs(p - q)).Max() : float.PositiveInfinity;
            bool pass = worst <= Tolerance && ours.Shape.Select(d => (long)d).SequenceEqual(theirs.shape);
            ok &= pass;
            Console.WriteLine($"{what,-12} shape {string.Join("×", ours.Shape),-10} max |Sinapse − libtorch| = {worst:E2}  {(pass ? "ok" : "FAIL")}");
        }
        Check("output", y, ty);
        Check("input grad", x.Grad!, tx.grad!);
        Check("weight grad", conv.Weight.Grad!, tw.grad!);
        Check("bias grad", conv.Bias.Grad!, tb.grad!);
        return ok ? 0 : 1;
    }
}
