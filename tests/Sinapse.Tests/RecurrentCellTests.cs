using Sinapse.IO;
using Sinapse.Layers;

namespace Sinapse.Tests;

using static TestUtil;

/// <summary>The one-step cells: PyTorch's names, the same values as the layers when stepped by hand, gradients.</summary>
public class RecurrentCellTests
{
    static void CopyInto(RecurrentCell cell, RecurrentLayer layer)
    {
        foreach (var (name, p) in cell.NamedParameters())
            p.CopyFrom(layer.NamedParameters().Single(q => q.Name == name + "_l0").Parameter);
    }

    [Fact]
    public void Cells_stepped_by_hand_equal_the_layers()
    {
        var g = new Generator(11);
        var x = Tensor.Randn([3, 5, 4], g);
        var lstm = new LSTM(4, 6, gen: g);
        var cell = new LSTMCell(4, 6);
        CopyInto(cell, lstm);
        var (y, (hn, cn)) = lstm.Call(x, (null, null));
        (Tensor? H, Tensor? C) state = (null, null);
        for (int t = 0; t < 5; t++)
        {
            var (h, c) = cell.Call(x.Select(1, t).Contiguous(), state);
            Close(y.Select(1, t).Contiguous(), h, 1e-6f);
            state = (h, c);
        }
        Close(hn.Select(0, 0), state.H!, 1e-6f);
        Close(cn!.Select(0, 0), state.C!, 1e-6f);

        var gru = new GRU(4, 6, gen: g);
        var gcell = new GRUCell(4, 6);
        CopyInto(gcell, gru);
        Close(gru.Call(x.Slice(1, 0, 1).Contiguous()).Select(1, 0), gcell.Call(x.Select(1, 0).Contiguous()), 1e-6f);
    }

    [Fact]
    public void Cells_have_pytorch_names_and_pass_gradcheck()
    {
        var cell = new GRUCell(3, 4, gen: new Generator(2));
        Assert.Equal(new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }, cell.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal("LSTMCell(3, 4, bias=False)", new LSTMCell(3, 4, bias: false).ToString());
        var x = Param([2, 3], 5);
        var h = Param([2, 4], 6);
        Passes(GradCheck.Check(t => cell.Call(t[0], (t[1], null)).H, [x, h]));
        var rnn = new RNNCell(3, 4, nonlinearity: "tanh", gen: new Generator(3));
        Passes(GradCheck.Check(t => rnn.Call(t[0], (t[1], null)).H, [x, h]));
        var e = Assert.Throws<ArgumentException>(() => cell.Call(Tensor.Zeros(2, 5)));
        Assert.Contains("GRUCell(3→4)", e.Message);
    }

    [Fact]
    public void Cells_round_trip_through_model_json()
    {
        foreach (Module<Tensor, Tensor> m in new Module<Tensor, Tensor>[] { new LSTMCell(3, 4), new GRUCell(2, 5, bias: false), new RNNCell(4, 3, nonlinearity: "relu") })
        {
            var plan = ModuleRegistry.Plan(m.Describe());
            Assert.Equal(m.ParameterCount(), plan.Values);
            Assert.Equal(m.ToString(), plan.Build(null).ToString());
        }
    }
}
