using Sinapse.Tests.Support;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

/// <summary>Data-parallel machinery without MPI: sharding, the leaf-gradient hook, and gradient buckets over a stand-in group.</summary>
[Collection(nameof(ProcessWideCollection))]
public class DataParallelTests
{
    static TensorDataset Numbered(int n) =>
        new(Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1), Tensor.Zeros(n));

    [Fact]
    public void DefaultShard_CutsTheBatchIntoContiguousBlocks()
    {
        var d = Numbered(10);
        int[] batch = [3, 1, 4, 0, 5, 9, 2];
        Assert.True(d.TryGetShard(batch, 0, 2, out var b0, out var s0));
        Assert.True(d.TryGetShard(batch, 1, 2, out var b1, out var s1));
        Assert.Equal([3f, 1, 4], b0.Input.ToArray());
        Assert.Equal([0f, 5, 9, 2], b1.Input.ToArray());
        Assert.Equal(3 / 7.0, s0, 12);
        Assert.Equal(4 / 7.0, s1, 12);
        Assert.False(d.TryGetShard(batch, 0, 8, out _, out _)); // fewer samples than processes: all skip it
    }

    [Fact]
    public void ShardedLoaders_CoverEveryBatchOnce()
    {
        var d = Numbered(30);
        var whole = new DataLoader(d, 8, shuffle: true, seed: 5).Select(b => b.Input.ToArray()).ToList();
        var parts = Enumerable.Range(0, 3).Select(r =>
        {
            var l = new DataLoader(d, 8, shuffle: true, seed: 5);
            l.Shard(r, 3);
            return l.Select(b => b.Input.ToArray()).ToList();
        }).ToList();
        Assert.All(parts, p => Assert.Equal(whole.Count, p.Count));
        for (int k = 0; k < whole.Count; k++)
            Assert.Equal(whole[k].Order(), parts.SelectMany(p => p[k]).Order());
    }

    [Fact]
    public void CharStreams_AreSharedByStream()
    {
        var ids = Enumerable.Range(0, 101).ToArray();
        var s = new CharStreams(ids, streams: 4, steps: 5);
        var (x, y) = s.GetBatch([2]);
        Assert.True(s.TryGetShard([2], 1, 2, out var part, out var share));
        Assert.Equal(0.5, share);
        var rows = x.ToArray();
        Assert.Equal(rows[10..20], part.Input.ToArray()); // streams 2 and 3
        Assert.Equal(y.ToArray()[10..20], part.Target.ToArray());
        Assert.Throws<ArgumentException>(() => s.TryGetShard([2], 0, 5, out _, out _));
    }

    [Fact]
    public void LeafGradientReady_ReportsEachLeafOnceWithItsFinalGradient()
    {
        var w = TestUtil.Param([3, 2], 1);
        var b = TestUtil.Param([2], 2);
        var x = TestUtil.Param([4, 3], 3);
        x.RequiresGrad = false;
        var seen = new List<(Tensor Leaf, float[] Grad)>();
        Autograd.LeafGradientReady = t => seen.Add((t, t.Grad!.ToArray()));
        try
        {
            var loss = (x.MatMul(w) + b).Tanh().Sum() + (w * w).Sum(); // w is read twice
            loss.Backward();
        }
        finally { Autograd.LeafGradientReady = null; }
        Assert.Equal(2, seen.Count);
        Assert.Equal(w.Grad!.ToArray(), seen.Single(s => s.Leaf == w).Grad);
        Assert.Equal(b.Grad!.ToArray(), seen.Single(s => s.Leaf == b).Grad);
    }

    /// <summary>A group of two in which the other process always holds the same values as this one: every sum doubles.</summary>
    sealed class MirroredPair : ICommunicator
    {
        public int Starts;
        public int Rank => 0;
        public int Size => 2;
        public void AllReduceSum(Span<float> v) { foreach (ref var a in v) a *= 2; }
        public void AllReduceSum(Span<double> v) { foreach (ref var a in v) a *= 2; }
        public void Broadcast(Span<byte> data, int root) { }
        public PendingReduction CreateReduction(float[] buffer) => new Doubling(this, buffer);
        public void Abort(string message) => throw new InvalidOperationException(message);

        sealed class Doubling(MirroredPair owner, float[] buffer) : PendingReduction
        {
            bool running;
            public override void Start() { Assert.False(running); running = true; owner.Starts++; }
            public override bool Test() => !running;
            public override void Wait() { if (running) owner.AllReduceSum(buffer); running = false; }
        }
    }

    static (Sequential Net, Tensor X, Tensor Y) Net()
    {
        var g = new Generator(4);
        var net = new Sequential(new Linear(5, 8, gen: g), new ReLU(), new Linear(8, 3, gen: g));
        return (net, Tensor.Randn([6, 5], g), Tensor.FromArray([0f, 1, 2, 0, 1, 2], 6));
    }

    [Fact]
    public void Buckets_StartDuringBackwardAndAverageTheGradients()
    {
        var (net, x, y) = Net();
        var opt = new SGD(net.Parameters(), 0.1f);
        var pair = new MirroredPair();
        using var group = new DataParallel(pair) { BucketElements = 30 }; // several buckets
        group.Attach(opt);
        opt.ZeroGrad();
        new CrossEntropyLoss().Call(net.Call(x), y).Backward();
        int startedDuringBackward = pair.Starts;
        var local = net.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        opt.SynchronizeGradients();
        Assert.True(startedDuringBackward >= 2, $"{startedDuringBackward} buckets started during backward");
        // Share ½ from each of two equal processes: the average is this process's gradient, exactly.
        Assert.Equal(local, net.Parameters().Select(p => p.Grad!.ToArray()).ToList());
    }

    [Fact]
    public void Buckets_SentEarlyAreSentAgainWhenASecondBackwardChangesThem()
    {
        var (net, x, y) = Net();
        var opt = new SGD(net.Parameters(), 0.1f);
        using var group = new DataParallel(new MirroredPair());
        group.Attach(opt);
        opt.ZeroGrad();
        var loss = new CrossEntropyLoss();
        loss.Call(net.Call(x), y).Backward();
        loss.Call(net.Call(x * 2f), y).Backward(); // accumulates into the gradients already sent
        var local = net.Parameters().Select(p => p.Grad!.ToArray()).ToList();
        opt.SynchronizeGradients();
        Assert.Equal(local, net.Parameters().Select(p => p.Grad!.ToArray()).ToList());
    }

    [Fact]
    public void Fit_WithAGroupReportsTheGroupsMetricsAndUnshardsTheLoaders()
    {
        var (net, _, _) = Net();
        var g = new Generator(9);
        var data = new TensorDataset(Tensor.Randn([40, 5], g), Tensor.FromArray(Enumerable.Range(0, 40).Select(i => (float)(i % 3)).ToArray(), 40));
        var train = new DataLoader(data, 10, shuffle: true, seed: 1);
        var val = new DataLoader(data, 20);
        var h = Trainer.Fit(net, new CrossEntropyLoss(), new Adam(net.Parameters(), 0.01f), train, val, 2, new MirroredPair());
        Assert.Equal(2, h.Epochs.Count);
        Assert.Equal(1.0, train.Share); // this rank's shares were ½; Shard(0, 1) restored it
        Assert.Equal(4, train.Count());
        // Validation is summed over both processes; with a mirrored pair that is this process's half (the first half
        // of each validation batch of 20), counted twice.
        int[] mine = [.. Enumerable.Range(0, 40).Where(i => i % 20 < 10)];
        var firstHalves = new TensorDataset(Tensor.FromArray(mine.SelectMany(i => data.Inputs.ToArray()[(i * 5)..(i * 5 + 5)]).ToArray(), 20, 5),
            Tensor.FromArray(mine.Select(i => (float)(i % 3)).ToArray(), 20));
        Assert.Equal(Trainer.Evaluate(net, new CrossEntropyLoss(), new DataLoader(firstHalves, 20)).Loss, h.Epochs[^1].ValLoss!.Value, 5);
    }

    /// <summary>
    /// Two ranks as two threads of this process: sums meet at a barrier and are added in rank order, as an all-reduce
    /// over two processes adds them (one commutative addition).
    /// </summary>
    sealed class ThreadPair
    {
        readonly Barrier barrier = new(2);
        readonly float[]?[] floats = new float[2][];
        readonly double[]?[] doubles = new double[2][];
        byte[]? broadcast;

        public ICommunicator Rank(int r) => new Member(this, r);

        void Sum<T>(T[]?[] slots, int rank, Span<T> v) where T : System.Numerics.INumber<T>
        {
            slots[rank] = v.ToArray();
            barrier.SignalAndWait();
            var sum = slots[0]!.Zip(slots[1]!, (a, b) => a + b).ToArray();
            barrier.SignalAndWait();
            sum.CopyTo(v);
        }

        void Broadcast(int rank, Span<byte> data, int root)
        {
            if (rank == root) broadcast = data.ToArray();
            barrier.SignalAndWait();
            if (rank != root) broadcast.CopyTo(data);
            barrier.SignalAndWait();
        }

        sealed class Member(ThreadPair pair, int rank) : ICommunicator
        {
            public int Rank => rank;
            public int Size => 2;
            public void AllReduceSum(Span<float> v) => pair.Sum(pair.floats, rank, v);
            public void AllReduceSum(Span<double> v) => pair.Sum(pair.doubles, rank, v);
            public void Broadcast(Span<byte> data, int root) => pair.Broadcast(rank, data, root);
            public PendingReduction CreateReduction(float[] buffer) => new Pending(this, buffer);
            public void Abort(string message) => throw new InvalidOperationException(message);
        }

        sealed class Pending(Member member, float[] buffer) : PendingReduction
        {
            bool running;
            public override void Start() => running = true;
            public override bool Test() => !running;
            public override void Wait() { if (running) member.AllReduceSum(buffer); running = false; }
        }
    }

    static float[] TrainMlp(ICommunicator communicator)
    {
        var g = new Generator(8);
        var net = new Sequential(new Linear(12, 16, gen: g), new ReLU(), new Linear(16, 16, gen: g), new ReLU(), new Linear(16, 4, gen: g));
        var data = new TensorDataset(Tensor.Randn([150, 12], new Generator(2)), Tensor.FromArray(Enumerable.Range(0, 150).Select(i => (float)(i * 7 % 4)).ToArray(), 150));
        Trainer.Fit(net, new CrossEntropyLoss(), new Adam(net.Parameters(), 0.01f), new DataLoader(data, 32, shuffle: true, seed: 3), null, 3, communicator);
        return net.Parameters().SelectMany(p => p.ToArray()).ToArray();
    }

    [Fact]
    public void TwoRanks_TrainLikeOneProcessSummingEachBatchInTwoBlocks_BitForBit()
    {
        float[] oneProcess;
        Settings.BatchBlocks = 2;
        try { oneProcess = TrainMlp(SingleProcess.Instance); }
        finally { Settings.BatchBlocks = 1; }
        var pair = new ThreadPair();
        var ranks = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() => TrainMlp(pair.Rank(r)), TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(ranks, TimeSpan.FromMinutes(2)), "the ranks did not finish");
        Assert.Equal(ranks[0].Result, ranks[1].Result);
        Assert.Equal(oneProcess, ranks[0].Result); // 150 samples: the last batch of 22 is cut 11 + 11
    }
}
