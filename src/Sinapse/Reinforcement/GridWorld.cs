using System.Text;

namespace Sinapse.Reinforcement;

/// <summary>
/// A grid-world MDP: the agent moves up, right, down or left (actions 0–3); with probability 1 − 2·slip it goes the
/// way it chose, with slip each it goes at a right angle instead; walls and the edge leave it where it is. Every step
/// earns the living reward, and entering an exit cell ends the episode with that cell's reward added.
/// <see cref="RussellNorvig"/> is the 4×3 world of Russell and Norvig's <i>Artificial Intelligence: A Modern Approach</i>.
/// </summary>
/// <remarks>
/// The layout is rows of characters, the top row first: '.' open, '#' wall, 'S' start, '+' exit worth +1, '-' exit
/// worth −1 (or any exit rewards given to the constructor by cell). Observations are the state's number (a
/// <see cref="DiscreteSpace"/>): open cells numbered row by row, left to right, walls skipped.
/// </remarks>
public sealed class GridWorld : FiniteMdp, IEnvironment
{
    /// <summary>Arrows for actions 0–3 (up, right, down, left).</summary>
    public static readonly string[] ActionArrows = ["↑", "→", "↓", "←"];
    static readonly (int Dr, int Dc)[] Moves = [(-1, 0), (0, 1), (1, 0), (0, -1)];

    readonly int[,] stateAt; // (row, col) → state, −1 for walls
    Generator gen = new(0);
    int state, steps;
    bool running;

    public string[] Layout { get; }
    public int Rows => Layout.Length;
    public int Columns => Layout[0].Length;

    /// <summary>Cell (row, column) of every state.</summary>
    public (int Row, int Col)[] Cells { get; }

    /// <summary>The state episodes start in.</summary>
    public int Start { get; }

    /// <summary>The probability of each of the two perpendicular moves.</summary>
    public double Slip { get; }

    /// <summary>The reward of every step.</summary>
    public double LivingReward { get; }

    /// <summary>Reward added on entering each exit state (0 for others).</summary>
    public double[] ExitRewards { get; }

    GridWorld(string[] layout, double slip, double livingReward, double discount, Built b)
        : base(b.Transitions, b.Terminal, discount)
    {
        Layout = layout; Slip = slip; LivingReward = livingReward;
        stateAt = b.StateAt; Cells = b.Cells; Start = b.Start; ExitRewards = b.Exit;
        ObservationSpace = new DiscreteSpace(StateCount);
    }

    /// <summary>Builds a grid world from its <paramref name="layout"/> (see the remarks).</summary>
    public GridWorld(string[] layout, double slip = 0.1, double livingReward = -0.04, double discount = 1.0)
        : this(layout, slip, livingReward, discount, Build(layout, slip, livingReward)) { }

    /// <summary>Russell and Norvig's 4×3 world: +1 and −1 exits on the right, one wall, living reward −0.04, slip 0.1, γ = 1.</summary>
    public static GridWorld RussellNorvig(double livingReward = -0.04, double discount = 1.0) =>
        new(["...+", ".#.-", "S..."], 0.1, livingReward, discount);

    public string Name => $"GridWorld {Columns}×{Rows}";
    public Space ObservationSpace { get; }
    public DiscreteSpace ActionSpace { get; } = new(4);
    public int MaxEpisodeSteps { get; init; } = 100;

    /// <summary>The state in (row, column), or −1 for a wall.</summary>
    public int StateAt(int row, int col) => stateAt[row, col];

    public float[] Reset(ulong? seed = null)
    {
        if (seed is ulong s) gen = new Generator(s);
        state = Start; steps = 0; running = true;
        return [state];
    }

    public StepOutcome Step(int action)
    {
        Environments.CheckAction(this, action, running);
        double u = gen.NextFloat(), acc = 0;
        var outcomes = Outcomes(state, action);
        var pick = outcomes[^1];
        foreach (var t in outcomes) { acc += t.Probability; if (u < acc) { pick = t; break; } }
        state = pick.Next; steps++;
        bool terminated = IsTerminal(state), truncated = !terminated && steps >= MaxEpisodeSteps;
        running = !(terminated || truncated);
        return new StepOutcome([state], (float)pick.Reward, terminated, truncated);
    }

    /// <summary>The grid with the agent as '@'.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++) sb.Append(stateAt[r, c] == state && running ? '@' : Layout[r][c] == 'S' ? '.' : Layout[r][c]);
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>A table of <paramref name="values"/> (and the policy's arrows) laid out as the grid, for a terminal.</summary>
    public string Describe(ReadOnlySpan<double> values, ReadOnlySpan<int> policy = default)
    {
        var sb = new StringBuilder();
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                int s = stateAt[r, c];
                string cell = s < 0 ? "  ####  " : IsTerminal(s) ? $"{ExitRewards[s],+7:0.##} " :
                    $"{values[s],7:F3}{(policy.Length > 0 && policy[s] >= 0 ? ActionArrows[policy[s]] : " ")}";
                sb.Append(cell).Append(' ');
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    sealed record Built(Transition[][][] Transitions, bool[] Terminal, int[,] StateAt, (int, int)[] Cells, int Start, double[] Exit);

    static Built Build(string[] layout, double slip, double living)
    {
        if (layout.Length == 0 || layout[0].Length == 0) throw new ArgumentException("GridWorld: the layout is empty.");
        if (layout.Any(r => r.Length != layout[0].Length)) throw new ArgumentException("GridWorld: every row of the layout must have the same length.");
        if (slip is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(slip), slip, "GridWorld: slip must lie in [0, 0.5].");
        int rows = layout.Length, cols = layout[0].Length;
        var at = new int[rows, cols];
        var cells = new List<(int, int)>();
        int start = -1;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                char ch = layout[r][c];
                if ("#.S+-".IndexOf(ch) < 0) throw new ArgumentException($"GridWorld: '{ch}' at row {r}, column {c} is not one of . # S + -.");
                at[r, c] = ch == '#' ? -1 : cells.Count;
                if (ch == 'S') start = cells.Count;
                if (ch != '#') cells.Add((r, c));
            }
        if (start < 0) throw new ArgumentException("GridWorld: the layout has no start cell 'S'.");
        int n = cells.Count;
        var terminal = new bool[n];
        var exit = new double[n];
        for (int s = 0; s < n; s++)
        {
            char ch = layout[cells[s].Item1][cells[s].Item2];
            terminal[s] = ch is '+' or '-';
            exit[s] = ch == '+' ? 1 : ch == '-' ? -1 : 0;
        }
        var trans = new Transition[n][][];
        for (int s = 0; s < n; s++)
        {
            trans[s] = new Transition[4][];
            for (int a = 0; a < 4; a++)
            {
                if (terminal[s]) { trans[s][a] = []; continue; }
                var list = new List<Transition>();
                foreach (var (dir, p) in new[] { (a, 1 - 2 * slip), ((a + 1) % 4, slip), ((a + 3) % 4, slip) })
                {
                    if (p == 0) continue;
                    var (r, c) = cells[s];
                    int nr = r + Moves[dir].Dr, nc = c + Moves[dir].Dc;
                    int next = nr < 0 || nr >= rows || nc < 0 || nc >= cols || at[nr, nc] < 0 ? s : at[nr, nc];
                    int k = list.FindIndex(t => t.Next == next);
                    double reward = living + exit[next];
                    if (k >= 0) list[k] = list[k] with { Probability = list[k].Probability + p };
                    else list.Add(new Transition(p, next, reward));
                }
                trans[s][a] = list.ToArray();
            }
        }
        return new Built(trans, terminal, at, cells.ToArray(), start, exit);
    }
}
