using NativeCore.Kernels;

namespace NativeCore.Training;

/// <summary>
/// The one seed rule of every setting. Everything random in a stage derives from the run seed: the data stream from
/// (seed, stage name), dropout of step s from (seed, s), the start-of-stage weight noise from (seed, a fixed tag).
/// Counter hashes, not a stateful generator, so a resumed run draws exactly what an uninterrupted one would.
/// </summary>
public static class Seeds
{
    /// <summary>The seed of a stage's data stream: two stages of one run never share batches.</summary>
    public static ulong Data(ulong seed, string stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        // A polynomial hash of every character: the grammar setting's rule since its first release, so its runs keep
        // their batches. (The stories setting once hashed only the name's length, so equal-length stages collided.)
        return CounterHash.Mix(seed, (ulong)stage.Aggregate(17, (h, c) => h * 31 + c));
    }

    /// <summary>The dropout seed of 0-based <paramref name="step"/>.</summary>
    public static ulong Dropout(ulong seed, long step) => CounterHash.Mix(seed, (ulong)step);

    /// <summary>The seed of the Gaussian noise added to every weight when a stage starts.</summary>
    public static ulong Noise(ulong seed) => CounterHash.Mix(seed, 0x0015E);

    /// <summary>The seed of a control model's fresh weights (a model of the same shape that never had the capability).</summary>
    public static ulong Control(ulong seed) => CounterHash.Mix(seed, 0xC0E7);
}
