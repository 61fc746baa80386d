using System.Text;

namespace Sinapse.Reinforcement;

/// <summary>
/// Moore's (1990) mountain car with the dynamics of Gymnasium's MountainCar-v0: an underpowered car in a valley must
/// rock back and forth to reach the flag at position 0.5. Actions: push left (0), none (1), push right (2); reward −1
/// per step; truncated after 200 steps.
/// </summary>
/// <remarks>Observation (2): position in [−1.2, 0.6], velocity in [−0.07, 0.07]. Starts at a position uniform in [−0.6, −0.4], at rest.</remarks>
public sealed class MountainCar : IEnvironment
{
    const double MinPosition = -1.2, MaxPosition = 0.6, MaxSpeed = 0.07, GoalPosition = 0.5, Force = 0.001, Gravity = 0.0025;

    Generator gen = new(0);
    int steps;
    bool running;

    /// <summary>Position and velocity in double precision.</summary>
    public double Position { get; private set; }
    public double Velocity { get; private set; }

    public string Name => "MountainCar-v0";
    public int MaxEpisodeSteps { get; init; } = 200;
    public DiscreteSpace ActionSpace { get; } = new(3);
    public Space ObservationSpace { get; } = new BoxSpace([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);

    public float[] Reset(ulong? seed = null)
    {
        if (seed is ulong s) gen = new Generator(s);
        Position = -0.6 + 0.2 * gen.NextFloat();
        Velocity = 0;
        steps = 0; running = true;
        return [(float)Position, (float)Velocity];
    }

    public StepOutcome Step(int action)
    {
        Environments.CheckAction(this, action, running);
        Velocity = Math.Clamp(Velocity + (action - 1) * Force + Math.Cos(3 * Position) * -Gravity, -MaxSpeed, MaxSpeed);
        Position = Math.Clamp(Position + Velocity, MinPosition, MaxPosition);
        if (Position == MinPosition && Velocity < 0) Velocity = 0;
        steps++;
        bool terminated = Position >= GoalPosition && Velocity >= 0;
        bool truncated = !terminated && steps >= MaxEpisodeSteps;
        running = !(terminated || truncated);
        return new StepOutcome([(float)Position, (float)Velocity], -1f, terminated, truncated);
    }

    public string Render()
    {
        const int width = 49;
        var sb = new StringBuilder(new string('_', width));
        sb[(int)Math.Round((GoalPosition - MinPosition) / (MaxPosition - MinPosition) * (width - 1))] = 'F';
        sb[Math.Clamp((int)Math.Round((Position - MinPosition) / (MaxPosition - MinPosition) * (width - 1)), 0, width - 1)] = 'o';
        return $"{sb}  position={Position,7:F3}  velocity={Velocity,7:F4}  step {steps}";
    }
}
