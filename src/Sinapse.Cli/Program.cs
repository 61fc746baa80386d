using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>The <c>sinapse</c> command: training, evaluation and the demonstrations of each part of the syllabus (see README.md).</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args);

    /// <summary>Runs the CLI; returns the exit code (0 success, 2 bad usage, bad input or failure).</summary>
    public static int Run(string[] args)
    {
        // A young collection every 64 backward passes keeps a long run's resident set flat (bench/ MEM).
        Settings.YoungCollectionInterval = 64;
        // Bind Spectre's console to the current Console.Out (tests redirect it between runs).
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName("sinapse");
            c.ConfigureConsole(AnsiConsole.Console); // help and usage errors go where the rest of the output goes
            c.SetApplicationVersion(typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0");
            c.PropagateExceptions();
            c.UseStrictParsing();
            c.AddCommand<TrainCommand>("train").WithDescription("Train a network (MNIST by default; Fashion-MNIST, an IDX or image folder, a table, a text) and write a run folder with its report.");
            c.AddCommand<CvCommand>("cv").WithDescription("k-fold cross-validation (stratified) of an MLP on a table: per-fold scores, mean ± std.");
            c.AddCommand<TuneCommand>("tune").WithDescription("Grid or random hyperparameter search for an MLP on a table; ranked table (CSV, Markdown) and a PNG.");
            c.AddCommand<SampleCommand>("sample").WithDescription("Samples from a trained GAN, scored by a frozen classifier: Inception-style score, digit shares, Fréchet distance.");
            c.AddCommand<EvalCommand>("eval").WithDescription("Evaluate a saved run on its test set (MNIST by default, or --data).");
            c.AddCommand<PredictCommand>("predict").WithDescription("Class probabilities for a PNG or JPEG image, or predictions for the rows of a CSV (a table run).");
            c.AddCommand<FeaturesCommand>("features").WithDescription("PNG grids of a trained CNN's first-layer filters and of every convolution's feature maps for one image.");
            c.AddCommand<FiltersCommand>("filters").WithDescription("Apply the classic 3×3 image kernels through Conv2d; one PNG per filter and a contact sheet.");
            c.AddCommand<GenerateCommand>("generate").WithDescription("Text from a trained character model (train --model charlstm).");
            c.AddCommand<AddingCommand>("adding").WithDescription("Why gates matter: RNN, LSTM and GRU on the adding problem, test MSE plotted.");
            c.AddCommand<ForecastCommand>("forecast").WithDescription("LSTM forecast of a time series with a 95% prediction interval, against seasonal naive.");
            c.AddCommand<LrSweepCommand>("lr-sweep").WithDescription("LR range test on the MNIST MLP, then training at a low, the suggested and a high rate: loss curves in PNGs.");
            c.AddCommand<CapacityCommand>("capacity").WithDescription("Under- and overfitting: networks too small, right and too large on noisy 1-D data; fits and the early-stopping point in PNGs.");
            c.AddCommand<OptimizersCommand>("optimizers").WithDescription("Epochs to a target loss for gradient descent, SGD, momentum, Adam, Rprop and Quickprop on XOR, 4-bit parity and Iris.");
            c.AddCommand<ClusterCommand>("cluster").WithDescription("k-means (k-means++) or a self-organising map on a table or MNIST: purity and adjusted Rand index; centres, prototypes and U-matrix as PNGs.");
            c.AddCommand<HebbCommand>("hebb").WithDescription("Hebbian learning: plain Hebb grows without bound, Oja finds the first principal component, Sanger the first k (Gaussian and MNIST).");
            c.AddCommand<HopfieldCommand>("hopfield").WithDescription("Hopfield network: stored digits recalled from noisy and half-erased probes, and the capacity curve.");
            c.AddCommand<RbmCommand>("rbm").WithDescription("Restricted Boltzmann machine on binarized MNIST (CD-k or PCD): filters, Gibbs samples, features for a softmax classifier; --dbn for a deep belief net.");
            c.AddCommand<ElmCommand>("elm").WithDescription("Extreme learning machine on MNIST (random hidden layer, ridge-regression output) against the MLP: accuracy and seconds.");
            c.AddCommand<RlCommand>("rl").WithDescription("Reinforcement learning: DQN, REINFORCE or A2C on CartPole and MountainCar; value/policy iteration, Q-learning and SARSA on the grid world; 'rl play --model RUN' replays a policy.");
            c.AddCommand<ExportCommand>("export").WithDescription("Export a run's model as ONNX (opset 17): --onnx RUN writes RUN/model.onnx.");
            c.AddCommand<ImportCommand>("import").WithDescription("Import an ONNX model (the exported op set) as a run folder that eval and predict read.");
            c.AddCommand<DataCommand>("data").WithDescription("'data list': the data sets known by name and where they are; 'data fetch NAME': fetch one (Fashion-MNIST) into the cache, sha256-checked.");
            c.AddCommand<XorCommand>("xor").WithDescription("The perceptron fails XOR; a two-layer MLP learns it.");
        });
        try
        {
            RunFolder.Current = null;
            var started = DateTime.UtcNow;
            int code = app.Run(args);
            MpiJob.Leave();
            // Every run folder gets its report, unless the command wrote a richer one itself.
            if (code == 0 && RunFolder.Current is string dir && Directory.Exists(dir))
            {
                var index = Path.Combine(dir, RunReport.FileName);
                if (!File.Exists(index) || File.GetLastWriteTimeUtc(index) < started) RunReport.Write(dir);
            }
            return code;
        }
        catch (Exception e)
        {
            var msg = e is CommandAppException or CommandParseException or CommandRuntimeException
                ? e.Message
                : e.InnerException is { } inner && e is System.Reflection.TargetInvocationException ? inner.Message : e.Message;
            Console.Error.WriteLine("error: " + OneLine(msg));
            MpiJob.Fail(OneLine(msg));
            return 2;
        }
    }

    static string OneLine(string s) => string.Join(" ", s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}
