using NativeCore.IO;

namespace NativeCore.Model;

/// <summary>Moves a <see cref="Gpt"/>'s parameters to and from named safetensors tensors (minGPT names).</summary>
public static class GptWeights
{
    /// <summary>
    /// Loads every parameter from <paramref name="tensors"/> after checking all of them first: each must exist with
    /// the right shape, and no unknown tensor may be present. On any mismatch nothing is loaded.
    /// </summary>
    /// <exception cref="InvalidCheckpointException">A tensor is missing, extra or has the wrong shape; the message names it.</exception>
    public static void Load(Gpt model, IReadOnlyDictionary<string, SafeTensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        var host = new float[model.Layout.TotalLength];
        foreach (var p in model.Layout.Parameters)
        {
            if (!tensors.TryGetValue(p.Name, out var t))
                throw new InvalidCheckpointException($"{source}: missing tensor '{p.Name}' (shape [{string.Join(",", p.Shape)}])");
            if (!t.Shape.SequenceEqual(p.Shape))
                throw new InvalidCheckpointException($"{source}: tensor '{p.Name}' has shape [{string.Join(",", t.Shape)}], the model config needs [{string.Join(",", p.Shape)}]");
            // ToFloat32 refuses an integer dtype without knowing the file; the message must name it.
            if (t.DType is not (SafeDType.F32 or SafeDType.F64))
                throw new InvalidCheckpointException($"{source}: tensor '{p.Name}' has dtype {t.DType}, expected F32 or F64");
            var values = t.ToFloat32();
            foreach (float v in values)
                if (!float.IsFinite(v)) throw new InvalidCheckpointException($"{source}: tensor '{p.Name}' holds a non-finite value");
            values.CopyTo(host, p.Offset);
        }
        foreach (string name in tensors.Keys)
            if (!model.Layout.Contains(name)) throw new InvalidCheckpointException($"{source}: unexpected tensor '{name}' that the model config does not have");
        model.Parameters.CopyFromHost(host);
    }

    /// <summary>Reads a safetensors file and loads it (see <see cref="Load"/>).</summary>
    public static void LoadFile(Gpt model, string path) => Load(model, Safetensors.Read(path).Tensors, path);

    /// <summary>The parameters as float32 safetensors tensors, in layout order.</summary>
    public static IEnumerable<SafeTensor> Export(Gpt model) => Export(model, model?.Parameters!, "");

    /// <summary>Any buffer laid out like the parameters (gradients, moments) as named tensors with a name prefix.</summary>
    public static IEnumerable<SafeTensor> Export(Gpt model, Tensors.DeviceBuffer<float> buffer, string prefix)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(buffer);
        var host = buffer.ToArray();
        return model.Layout.Parameters.Select(p => SafeTensor.FromFloat32(prefix + p.Name, p.Shape, host.AsSpan(p.Offset, p.Length))).ToList();
    }
}
