using System.Text;

namespace Sinapse.Reinforcement;

/// <summary>
/// The cart-pole of Barto, Sutton and Anderson (1983) with the dynamics, limits and rewards of Gymnasium's
/// CartPole-v1: push the cart left (action 0) or right (1) with 10 N to keep the pole upright. Reward 1 for every step,
/// the failing one included; the episode terminates when the pole leans past 12° or the cart leaves ±2.4, and is
/// truncated after 500 steps (a mean return of 475 over 100 episodes counts as solved).
/// </summary>
/// <remarks>
/// Observation (4): cart position, cart velocity, pole angle (radians), pole angular velocity. The state is kept in
/// double precision and integrated with explicit Euler steps of 0.02 s, as Gymnasium does; observations are its float
/// rounding. Starting states are uniform in ±0.05, drawn from this library's generator (so seed 0 here is not seed 0 in
/// Gymnasium, though the dynamics are the same).
/// </remarks>
public sealed class CartPole : IEnvironment
{
    const double Gravity = 9.8, MassCart = 1.0, MassPole = 0.1, TotalMass = MassCart + MassPole;
    const double HalfLength = 0.5, PoleMassLength = MassPole * HalfLength, ForceMag = 10.0, Tau = 0.02;

    /// <summary>Pole angle past which the episode terminates: 12° in radians.</summary>
    public const double ThetaThreshold = 12 * 2 * Math.PI / 360;

    /// <summary>Cart position past which the episode terminates.</summary>
    public const double XThreshold = 2.4;

    Generator gen = new(0);
    int steps;
    bool running;

    /// <summary>The state (x, ẋ, θ, θ̇) in double precision.</summary>
    public double[] State { get; } = new double[4];

    public string Name => "CartPole-v1";
    public int MaxEpisodeSteps { get; init; } = 500;
    public DiscreteSpace ActionSpace { get; } = new(2);

    public Space ObservationSpace { get; } = new BoxSpace(
        [(float)(-2 * XThreshold), float.NegativeInfinity, (float)(-2 * ThetaThreshold), float.NegativeInfinity],
        [(float)(2 * XThreshold), float.PositiveInfinity, (float)(2 * ThetaThreshold), float.PositiveInfinity]);

    public float[] Reset(ulong? seed = null)
    {
        if (seed is ulong s) gen = new Generator(s);
        for (int i = 0; i < 4; i++) State[i] = -0.05 + 0.1 * gen.NextFloat();
        steps = 0; running = true;
        return Observe();
    }

    /// <summary>Starts an episode from a given state (tests and demonstrations).</summary>
    public float[] ResetTo(double x, double xDot, double theta, double thetaDot)
    {
        State[0] = x; State[1] = xDot; State[2] = theta; State[3] = thetaDot;
        steps = 0; running = true;
        return Observe();
    }

    public StepOutcome Step(int action)
    {
        Environments.CheckAction(this, action, running);
        double x = State[0], xDot = State[1], theta = State[2], thetaDot = State[3];
        double force = action == 1 ? ForceMag : -ForceMag;
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        // Florian (2007), "Correct equations for the dynamics of the cart-pole system", without friction.
        double temp = (force + PoleMassLength * thetaDot * thetaDot * sin) / TotalMass;
        double thetaAcc = (Gravity * sin - cos * temp) / (HalfLength * (4.0 / 3.0 - MassPole * cos * cos / TotalMass));
        double xAcc = temp - PoleMassLength * thetaAcc * cos / TotalMass;
        State[0] = x + Tau * xDot;
        State[1] = xDot + Tau * xAcc;
        State[2] = theta + Tau * thetaDot;
        State[3] = thetaDot + Tau * thetaAcc;
        steps++;
        bool terminated = State[0] < -XThreshold || State[0] > XThreshold || State[2] < -ThetaThreshold || State[2] > ThetaThreshold;
        bool truncated = !terminated && steps >= MaxEpisodeSteps;
        running = !(terminated || truncated);
        return new StepOutcome(Observe(), 1f, terminated, truncated);
    }

    float[] Observe() => [(float)State[0], (float)State[1], (float)State[2], (float)State[3]];

    /// <summary>One line: the track from −2.4 to 2.4 with the cart, and the pole's lean.</summary>
    public string Render()
    {
        const int width = 49;
        var sb = new StringBuilder(new string('-', width));
        int pos = (int)Math.Round((State[0] + XThreshold) / (2 * XThreshold) * (width - 1));
        pos = Math.Clamp(pos, 0, width - 1);
        double deg = State[2] * 180 / Math.PI;
        sb[pos] = deg < -4 ? '\\' : deg > 4 ? '/' : '|';
        return $"{sb}  x={State[0],6:F3}  θ={deg,6:F2}°  step {steps}";
    }
}
