using System.Globalization;

namespace NativeCore.Model;

/// <summary>
/// What training a model takes in memory, estimated from its shape before anything is allocated: the flat parameter
/// buffer four times over (weights, gradients and both AdamW moments) plus the activation arenas of one batch. A model
/// past <see cref="CapBytes"/> is refused with the estimate, instead of overflowing int sizes or running out of memory.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>
    /// The largest estimated footprint NativeCore will allocate for one model: 8 GiB. Buffers are indexed by int, so
    /// 2^31 floats (8 GiB) is also the most any one buffer can hold; every model the presets and the anchors train
    /// needs under 2 GiB.
    /// </summary>
    public const long CapBytes = 8L << 30;

    private const double GiB = 1L << 30;

    /// <summary>Floats in the flat parameter buffer, padding included, as <see cref="ParameterLayout"/> lays it out.</summary>
    /// <remarks>Computed in double so that no shape overflows; exact while the result is below 2^53.</remarks>
    public static double ParameterFloats(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double c = config.NEmbd, attn = (double)config.NHead * config.HeadSize, inner = config.InnerOverride ?? 4.0 * config.NEmbd;
        double fcRows = config.Activation == ActivationKinds.SwiGlu ? 2 * inner : inner;
        double bias = config.Bias ? 1 : 0, norm = config.HasNorm ? 1 + bias : 0;
        double total = Padded(config.VocabSize * c);
        if (config.HasPositionTable) total += Padded(config.BlockSize * c);
        double block = 2 * norm * Padded(c)
            + Padded(3 * attn * c) + bias * Padded(3 * attn)
            + Padded(c * attn) + bias * Padded(c)
            + Padded(fcRows * c) + bias * Padded(fcRows)
            + Padded(c * inner) + bias * Padded(c);
        total += config.NLayer * block + norm * Padded(c);
        if (!config.TiedEmbeddings) total += Padded((double)config.OutputSize * c);
        return total;
    }

    /// <summary>Floats the forward and backward activation arenas hold for <paramref name="batch"/> sequences of <paramref name="time"/> positions.</summary>
    public static double ActivationFloats(GptConfig config, int batch, int time)
    {
        ArgumentNullException.ThrowIfNull(config);
        double n = (double)batch * time, c = config.NEmbd, v = config.OutputSize, attn = (double)config.NHead * config.HeadSize;
        double inner = config.InnerOverride ?? 4.0 * config.NEmbd, fcRows = config.Activation == ActivationKinds.SwiGlu ? 2 * inner : inner;
        // The same reservations as Activations, in its order.
        double block = 2 * Padded(n) + Padded(n * 3 * attn) + Padded((double)batch * config.NHead * time) + Padded(n * attn)
            + Padded(n * c) + 2 * Padded(n) + Padded(n * fcRows) + Padded(n * c);
        double forward = Padded(n * c) + config.NLayer * block + 2 * Padded(n * c) + Padded(n * inner)
            + Padded(n * c) + 2 * Padded(n) + Padded(n * v) + Padded(n);
        double backward = Padded(n * v) + 3 * Padded(n * c) + Padded(n * attn) + Padded(n * 3 * attn) + Padded(n * inner) + Padded(n * fcRows);
        return forward + backward;
    }

    /// <summary>Bytes one training step of <paramref name="batch"/> × <paramref name="time"/> needs.</summary>
    public static double TrainingBytes(GptConfig config, int batch, int time) =>
        4.0 * (4 * ParameterFloats(config) + ActivationFloats(config, batch, time));

    /// <summary>
    /// Throws when training <paramref name="config"/> on <paramref name="batch"/> × <paramref name="time"/> would need
    /// more than <see cref="CapBytes"/>.
    /// </summary>
    /// <param name="config">The model.</param>
    /// <param name="batch">Sequences per step.</param>
    /// <param name="time">Positions per sequence.</param>
    /// <param name="setting">What the user set that led here (<c>model.n_embd=16384</c>, <c>pretrain.batch_size=96</c>), the message's start.</param>
    /// <exception cref="InvalidConfigException">The estimate exceeds the cap; the message gives it and its parts.</exception>
    public static void Check(GptConfig config, int batch, int time, string setting)
    {
        double parameters = ParameterFloats(config), activations = ActivationFloats(config, batch, time);
        double total = 4.0 * (4 * parameters + activations);
        if (total <= CapBytes) return;
        throw new InvalidConfigException(string.Create(CultureInfo.InvariantCulture,
            $"{setting}: this model needs {total / GiB:F1} GiB to train; the cap is {CapBytes / GiB:F0} GiB ({parameters:N0} parameters: {16 * parameters / GiB:F1} GiB with gradients and AdamW moments; activations of {batch} × {time} positions: {4 * activations / GiB:F1} GiB); make the model or the batch smaller"));
    }

    /// <summary>A model's shape in the config's own names, for messages.</summary>
    internal static string Describe(GptConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return string.Create(CultureInfo.InvariantCulture,
            $"model (n_layer={config.NLayer}, n_head={config.NHead}, n_embd={config.NEmbd}, block_size={config.BlockSize}, vocab_size={config.VocabSize}{(config.InnerOverride is { } i ? $", n_inner={i}" : "")}{(config.HeadSizeOverride is { } h ? $", head_size={h}" : "")}{(config.OutputOverride is { } o ? $", n_output={o}" : "")})");
    }

    // Parameter and arena tensors each start on a 16-float boundary.
    private static double Padded(double floats) => Math.Ceiling(floats / 16) * 16;
}
