using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sinapse;

/// <summary>
/// The pooled storage of one top-level module call (a model's forward pass). Inside the call, every tensor an op or
/// layer makes takes its array from the pool and is recorded here; what the call returns is marked kept. When the call
/// ends without having recorded a graph, the rest goes back to the pool at once; otherwise it belongs to the graph
/// and goes back when Backward has gone through it, after which the graph cannot be differentiated again.
/// </summary>
/// <remarks>
/// This is why no layer handles memory: what a layer makes and does not return is visible only to the engine and to
/// the graph. A layer that keeps a tensor beyond its call (a running statistic, a recurrent state, a cached mask)
/// registers it as a buffer or keeps <see cref="Tensor.Detach"/> or <see cref="Tensor.Clone"/> of it, as in PyTorch.
/// A graph dropped without Backward is found through a weak handle once the GC has collected it
/// (<see cref="ReclaimDropped"/>), so its arrays come back without anything forcing a collection.
/// </remarks>
internal sealed class CallArena
{
    [ThreadStatic] static CallArena? current;
    [ThreadStatic] static int depth;
    [ThreadStatic] static CallArena? spare;

    /// <summary>Arenas whose graph is alive or dropped but not yet reclaimed.</summary>
    static readonly List<Loan> outstanding = new();
    static int reclaimedAtCollection = -1;

    readonly List<Storage> storages = new();
    int nodes;
    bool keepAll;

    /// <summary>True once the arrays went back to the pool: the nodes recorded in this call cannot run backward.</summary>
    public bool Released { get; private set; }

    /// <summary>The arena of the top-level call running on this thread, or null outside module calls.</summary>
    public static CallArena? Current => current;

    public void Add(Storage s) => storages.Add(s);

    /// <summary>A node recorded during the call: the graph now owns the arena.</summary>
    public void NoteNode() => nodes++;

    /// <summary>Enters a module call; true for the top-level one, which then owns a new arena.</summary>
    public static bool Enter()
    {
        if (depth++ > 0) return false;
        var a = spare ?? new CallArena();
        spare = null;
        current = a;
        return true;
    }

    /// <summary>Leaves a nested call.</summary>
    public static void ExitNested() => depth--;

    /// <summary>
    /// Leaves the top-level call: marks the tensors of <paramref name="output"/> kept, then gives the rest back now
    /// (no graph, or the call failed) or hands it to the graph.
    /// </summary>
    public static void ExitTop(object? output, bool failed)
    {
        depth--;
        var a = current!;
        current = null;
        if (!failed && !a.Keep(output)) a.keepAll = true;
        if (failed || a.nodes == 0)
        {
            a.ReleaseStorages();
            if (a.nodes == 0) { a.keepAll = false; spare = a; }
            else a.Released = true;
            return;
        }
        if (a.storages.Count > 0) a.loan = new Loan(a);
    }

    /// <summary>Marks every tensor in <paramref name="o"/> kept; false when <paramref name="o"/> is of a type the engine cannot look into.</summary>
    bool Keep(object? o)
    {
        switch (o)
        {
            case null: return true;
            case Tensor t: Keep(t); return true;
            case ITuple tuple:
                bool all = true;
                for (int i = 0; i < tuple.Length; i++) all &= Keep(tuple[i]);
                return all;
            case IEnumerable<Tensor> many:
                foreach (var t in many) Keep(t);
                return true;
            case ValueType: return true; // numbers, flags: no tensor inside
            default: return false;
        }
    }

    /// <summary>
    /// A tensor the call returns leaves the pool: its values move to a young array that the GC reclaims when the
    /// caller drops it (a pooled array is long-lived, and one kept by the caller each step would pile up where only
    /// full collections reach). The pooled array stays with the arena for the graph, whose nodes may read it through
    /// other views, and goes back with the arena's other arrays.
    /// </summary>
    void Keep(Tensor t)
    {
        var s = t.storage;
        if (!s.Kept)
        {
            s.Kept = true;
            if (s.IsPooled && storages.Contains(s))
            {
                var fresh = GC.AllocateUninitializedArray<float>(s.Array.Length);
                s.Array.AsSpan().CopyTo(fresh);
                storages.Add(Storage.Leftover(s.Array));
                s.Unpool(fresh);
            }
        }
        t.data = s.Array;
    }

    Loan? loan;

    /// <summary>Backward went through this call's graph: its arrays go back to the pool.</summary>
    public void Release()
    {
        if (Released) return;
        Released = true;
        if (loan != null) { lock (outstanding) loan.Close(); loan = null; }
        ReleaseStorages();
    }

    void ReleaseStorages()
    {
        if (!keepAll) foreach (var s in storages) s.Release();
        storages.Clear();
    }

    /// <summary>
    /// Gives back the arrays of every graph the GC has collected without Backward. Cheap, and it looks only once per
    /// gen-0 collection: a graph can only have been collected since the last look if a collection ran.
    /// </summary>
    public static void ReclaimDropped()
    {
        int gc = GC.CollectionCount(0);
        if (gc == Volatile.Read(ref reclaimedAtCollection)) return;
        Volatile.Write(ref reclaimedAtCollection, gc);
        lock (outstanding)
            for (int i = outstanding.Count - 1; i >= 0; i--)
                if (outstanding[i].OwnerGone) outstanding[i].Close();
    }

    /// <summary>
    /// The arrays of an arena that a graph owns, held strongly, with a weak handle on the arena: the arena is reachable
    /// only through the graph's nodes, so once the handle is empty the graph is gone and the arrays can come back.
    /// </summary>
    sealed class Loan
    {
        GCHandle owner;
        List<Storage>? storages;
        bool keepAll;
        int slot;

        public Loan(CallArena arena)
        {
            storages = arena.storages; // the same list: an arena with a graph is never reused, so nothing else changes it
            keepAll = arena.keepAll;
            owner = GCHandle.Alloc(arena, GCHandleType.Weak);
            lock (outstanding) { slot = outstanding.Count; outstanding.Add(this); }
        }

        public bool OwnerGone => owner.Target == null;

        /// <summary>Leaves the list of outstanding loans (under its lock) and, for a dropped graph, returns the arrays.</summary>
        public void Close()
        {
            if (storages == null) return;
            if (OwnerGone && !keepAll) foreach (var s in storages) s.Release();
            storages = null;
            owner.Free();
            var last = outstanding[^1];
            outstanding[slot] = last;
            last.slot = slot;
            outstanding.RemoveAt(outstanding.Count - 1);
        }
    }
}
