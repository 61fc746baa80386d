namespace Sinapse.Bench;

/// <summary>Command-line options, shared by the driver (<c>--runs N</c>) and the one-engine child processes.</summary>
public sealed record Options
{
    /// <summary>Workloads run when --workloads is not given. MEM and the TTA runs take minutes, so they are opt-in.</summary>
    public static readonly string[] DefaultWorkloads = ["W1", "W2", "W3", "W4", "W5", "W6"];
    public static readonly string[] KnownWorkloads = ["W1", "W2", "W3", "W4", "W5", "W6", "MEM", "TTA", "TTA-CNN", "TTA-CHAR"];

    public string Engine { get; init; } = "sinapse";
    public string[] Workloads { get; init; } = DefaultWorkloads;
    public int[] Threads { get; init; } = [2, 1];
    public bool Quick { get; init; }
    /// <summary>0: run one engine in this process; N > 0: drive N child processes per engine.</summary>
    public int Runs { get; init; }
    public string? Out { get; init; }
    /// <summary>MNIST folder for TTA; null: data/mnist found above the working or program directory.</summary>
    public string? Data { get; init; }
    /// <summary>TTA-CHAR's training seconds; null: 600 (10 with --quick).</summary>
    public double? Budget { get; init; }

    public const string Usage =
        "usage: Sinapse.Bench --engine sinapse|torch [--workloads W1,W2,W3,W4,W5,W6,MEM,TTA,TTA-CNN,TTA-CHAR] [--threads 2,1] [--quick] [--data DIR] [--budget SECONDS]\n" +
        "       Sinapse.Bench --runs N [--workloads ...] [--threads ...] [--quick] [--data DIR] [--out DIR]";

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a readable message.</summary>
    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--engine" => o with { Engine = Value() },
                "--workloads" => o with { Workloads = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--threads" => o with { Threads = Value().Split(',').Select(PositiveInt).ToArray() },
                "--quick" => o with { Quick = true },
                "--runs" => o with { Runs = int.TryParse(Value(), out var n) && n > 0 ? n : throw new ArgumentException("--runs needs a positive integer") },
                "--out" => o with { Out = Value() },
                "--data" => o with { Data = Value() },
                "--budget" => o with { Budget = double.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out var b) && b > 0 ? b : throw new ArgumentException("--budget needs a positive number of seconds") },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.Engine is not ("sinapse" or "torch")) throw new ArgumentException($"--engine {o.Engine}: expected sinapse or torch");
        foreach (var w in o.Workloads)
            if (!KnownWorkloads.Contains(w)) throw new ArgumentException($"unknown workload {w}; known: {string.Join(",", KnownWorkloads)}");
        return o;
    }

    static int PositiveInt(string s) =>
        int.TryParse(s, out var t) && t > 0 ? t : throw new ArgumentException($"--threads: '{s}' is not a positive integer");

    /// <summary>The arguments of one child process: this run's settings for one engine, never --runs/--out.</summary>
    public List<string> ChildArgs(string engine)
    {
        var a = new List<string> { "--engine", engine, "--workloads", string.Join(",", Workloads), "--threads", string.Join(",", Threads) };
        if (Quick) a.Add("--quick");
        if (Data != null) a.AddRange(["--data", Path.GetFullPath(Data)]);
        if (Budget is double b) a.AddRange(["--budget", b.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return a;
    }
}
