using Sinapse.Layers;
using Sinapse.Training;

namespace Sinapse.Tests;

public class WeightAverageTests
{
    static void Set(Linear l, float w0, float w1, float b)
    {
        using var _ = Autograd.NoGrad();
        l.Weight.AsSpan()[0] = w0; l.Weight.AsSpan()[1] = w1; l.Bias!.AsSpan()[0] = b;
        l.Weight.BumpVersion(); l.Bias.BumpVersion();
    }

    [Fact]
    public void Update_MovesTheAverageTowardTheWeightsWithTheWarmedUpDecay()
    {
        var l = new Linear(2, 1);
        Set(l, 1, 2, 3);
        var avg = new WeightAverage(l, 0.5f);
        Set(l, 11, 2, 3);
        avg.Update(); // d = min(0.5, 2/11)
        float d = 2f / 11;
        using (avg.Apply()) Assert.Equal(1 + (1 - d) * 10, l.Weight.ToArray()[0], 5);
        Assert.Equal(11f, l.Weight.ToArray()[0]); // the trained weights come back
        for (int i = 0; i < 50; i++) avg.Update(); // decay capped at 0.5: the average converges on the weights
        using (avg.Apply()) Assert.Equal(11f, l.Weight.ToArray()[0], 4);
    }

    [Fact]
    public void State_RoundTripsThroughACheckpoint()
    {
        var l = new Linear(2, 1);
        Set(l, 1, 2, 3);
        var avg = new WeightAverage(l, 0.9f);
        Set(l, 5, 6, 7);
        avg.Update(); avg.Update();
        var state = new TrainingState();
        avg.SaveState(state, "ema.");
        var again = new WeightAverage(l, 0.9f);
        again.LoadState(state, "ema.");
        float[] a, b;
        using (avg.Apply()) a = l.Parameters().SelectMany(p => p.ToArray()).ToArray();
        using (again.Apply()) b = l.Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.Equal(a, b);
        avg.Update(); again.Update(); // the update count came back too
        using (avg.Apply()) a = l.Parameters().SelectMany(p => p.ToArray()).ToArray();
        using (again.Apply()) b = l.Parameters().SelectMany(p => p.ToArray()).ToArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Decay_OutsideTheOpenUnitInterval_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(new Linear(2, 1), 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(new Linear(2, 1), 0f));
    }
}
