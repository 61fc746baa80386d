namespace Sinapse.Tests;

/// <summary>What the garbage collector keeps of the outputs a loop drops.</summary>
[Collection(nameof(ProcessWideCollection))]
public class GcPromotionTests
{
    [Fact]
    public void DroppedMatMulOutputs_AreNotPromotedByTheCollectionsTheyStart()
    {
        // 120 × 120 floats (56 KiB): a gen-0 array under the default large-object threshold. A loop that drops every
        // product starts a gen-0 collection every few hundred calls; none of them should find a product alive (the
        // array is its tensor's last allocation), so each promotes far less than one output.
        var a = Tensor.Randn([120, 120], new Generator(1));
        var b = Tensor.Randn([120, 120], new Generator(2));
        const long outputBytes = 120 * 120 * sizeof(float);
        GC.Collect();
        var promoted = new List<long>();
        for (int i = 0; i < 20_000 && promoted.Count < 5; i++)
        {
            int before = GC.CollectionCount(0);
            Tensor.MatMul(a, b);
            if (GC.CollectionCount(0) != before) promoted.Add(GC.GetGCMemoryInfo(GCKind.Ephemeral).PromotedBytes);
        }
        Assert.True(promoted.Count >= 3, $"only {promoted.Count} gen-0 collections in 20,000 products");
        promoted.Sort();
        Assert.True(promoted[promoted.Count / 2] < outputBytes / 2, $"median promoted {promoted[promoted.Count / 2]} bytes per collection (one output: {outputBytes})");
    }
}
