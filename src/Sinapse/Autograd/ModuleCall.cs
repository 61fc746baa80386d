namespace Sinapse;

/// <summary>
/// What the engine does around every module call (<see cref="Layers.Module{TIn, TOut}.Call"/>): the top-level call
/// owns the storage of what is made inside it (see <see cref="CallArena"/>), nested calls share it.
/// </summary>
internal static class ModuleCall
{
    /// <summary>Enters a call; true for the top-level one.</summary>
    public static bool Enter() => CallArena.Enter();

    /// <summary>Leaves a nested call.</summary>
    public static void ExitNested() => CallArena.ExitNested();

    /// <summary>Leaves the top-level call, which returned <paramref name="output"/> (or threw, when <paramref name="failed"/>).</summary>
    public static void ExitTop(object? output, bool failed) => CallArena.ExitTop(output, failed);
}
