using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>
/// What one step reports: its mean loss, the samples it saw, how many it classified correctly (when it classifies),
/// and any further metrics (a GAN's two losses, an agent's return), which <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/> averages
/// over the epoch by samples, counting only the steps that report each one.
/// </summary>
public readonly record struct StepResult(float Loss, int Samples, int? Correct = null, IReadOnlyDictionary<string, float>? Metrics = null);

/// <summary>
/// The step <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/> runs on each batch (Keras's <c>train_step</c> and <c>test_step</c>).
/// Override <see cref="TrainStep"/> to train anything — an autoencoder, a GAN with two optimizers, an agent — and keep
/// Fit's callbacks, progress reporting, History and NaN detection.
/// </summary>
public abstract class TrainingTask<TBatch>
{
    /// <summary>The model trained: put in training mode for each epoch and evaluation mode for validation; what callbacks save or restore.</summary>
    public abstract Module Model { get; }

    /// <summary>The optimizer whose learning rate the logs report and schedulers change; null when there are several or none.</summary>
    public virtual Optimizer? Optimizer => null;

    /// <summary>
    /// State a resumable checkpoint must keep besides the model and <see cref="Optimizer"/> (a second optimizer, a
    /// noise generator), with the keys to save it under.
    /// </summary>
    public virtual IEnumerable<(string Key, IStateful Part)> StateParts => [];

    /// <summary>
    /// The processes this task trains with: set by data-parallel Fit, else <see cref="SingleProcess"/>. A step that
    /// draws random inputs (a GAN's noise) can draw the whole batch's and keep its share, as one process would draw.
    /// </summary>
    public ICommunicator Communicator { get; internal set; } = SingleProcess.Instance;

    /// <summary>One training step on <paramref name="batch"/>: forward, loss, backward, update.</summary>
    public abstract StepResult TrainStep(TBatch batch);

    /// <summary>One validation step (no gradients are recorded around it); by default not supported (null).</summary>
    public virtual StepResult? TestStep(TBatch batch) => null;
}

/// <summary>
/// Supervised learning on (input, target) batches: zero_grad → forward → loss → backward → step. Accuracy is counted
/// when the model outputs (N, C) scores and the targets are class indices (N).
/// </summary>
public class SupervisedTask(Module<Tensor, Tensor> model, Loss loss, Optimizer optimizer) : TrainingTask<(Tensor Input, Tensor Target)>
{
    public override Module Model => Net;
    public Module<Tensor, Tensor> Net { get; } = model;
    public Loss Loss { get; } = loss;
    public override Optimizer Optimizer { get; } = optimizer;

    /// <summary>When set, gradients are scaled to this joint L2 norm at most before each step (<see cref="GradClip.ClipNorm"/>).</summary>
    public float? MaxGradNorm { get; init; }

    /// <summary>λ of an L1 penalty λ·Σ|w| on the weight matrices added to the loss (<see cref="Regularization.L1Penalty"/>); 0 for none.</summary>
    public float L1 { get; init; }

    /// <summary>When set, each unit's incoming weights are rescaled to this norm at most after each step (<see cref="Regularization.ApplyMaxNorm"/>).</summary>
    public float? MaxNorm { get; init; }

    public override StepResult TrainStep((Tensor Input, Tensor Target) batch)
    {
        var (x, y) = batch;
        Optimizer.ZeroGrad();
        var output = Net.Call(x);
        var l = Loss.Call(output, y);
        float lv = l.Item();
        if (float.IsFinite(lv))
        {
            // The reported loss is the data term; the penalty only steers the gradient.
            (L1 > 0 ? l + Regularization.L1Penalty(Net, L1) : l).Backward();
            if (MaxGradNorm is float max)
            {
                Optimizer.SynchronizeGradients(); // in data-parallel training the norm is the averaged gradient's
                GradClip.ClipNorm(Net.Parameters(), max);
            }
            Optimizer.Step();
            if (MaxNorm is float c) Regularization.ApplyMaxNorm(Net, c);
        }
        else Optimizer.SynchronizeGradients(); // the other processes of a data-parallel group wait for this one's share
        return new StepResult(lv, Trainer.SampleCount(x, output, y), Trainer.CountCorrect(output, y));
    }

    public override StepResult? TestStep((Tensor Input, Tensor Target) batch)
    {
        var (x, y) = batch;
        var output = Net.Call(x);
        return new StepResult(Loss.Call(output, y).Item(), Trainer.SampleCount(x, output, y), Trainer.CountCorrect(output, y));
    }
}
