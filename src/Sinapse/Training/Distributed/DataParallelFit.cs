using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

public static partial class Trainer
{
    /// <summary>
    /// The supervised <see cref="Fit(Module{Tensor, Tensor}, Loss, Optimizer, DataLoader, DataLoader?, int, Callback[])"/>
    /// in data-parallel over <paramref name="communicator"/>'s processes (see
    /// <see cref="Fit{TBatch}(TrainingTask{TBatch}, DataLoader{TBatch}, DataLoader{TBatch}?, int, ICommunicator, Callback[])"/>).
    /// </summary>
    public static History Fit(Module<Tensor, Tensor> model, Loss loss, Optimizer optimizer, DataLoader train, DataLoader? validation,
        int epochs, ICommunicator communicator, params Callback[] callbacks) =>
        Fit(new SupervisedTask(model, loss, optimizer), train, validation, epochs, communicator, callbacks);

    /// <summary>Shards the loaders and averages the gradients of every optimizer the task names (its Optimizer and those among its StateParts).</summary>
    static DataParallel JoinGroup<TBatch>(TrainingTask<TBatch> task, ICommunicator comm, DataLoader<TBatch> train, DataLoader<TBatch>? validation)
    {
        var optimizers = task.StateParts.Select(p => p.Part).OfType<Optimizer>().Prepend(task.Optimizer).OfType<Optimizer>().Distinct().ToArray();
        if (optimizers.Length == 0)
            throw new InvalidOperationException($"Fit: {task.GetType().Name} names no optimizer (Optimizer or StateParts), so its updates cannot be kept equal across {comm.Size} processes.");
        var group = new DataParallel(comm);
        try { foreach (var o in optimizers) group.Attach(o); }
        catch { group.Dispose(); throw; }
        task.Communicator = comm;
        train.Shard(comm.Rank, comm.Size);
        validation?.Shard(comm.Rank, comm.Size);
        return group;
    }

    /// <summary>Whether <paramref name="flag"/> is true on any process.</summary>
    static bool AnyRank(ICommunicator comm, bool flag) => AnyRank(comm, flag, false).First;

    /// <summary>Whether each flag is true on any process, in one collective (a step's divergence and stop request).</summary>
    static (bool First, bool Second) AnyRank(ICommunicator comm, bool first, bool second)
    {
        Span<double> v = [first ? 1 : 0, second ? 1 : 0];
        comm.AllReduceSum(v);
        return (v[0] > 0, v[1] > 0);
    }
}
