using NativeCore.Training;

namespace NativeCore.Ledger;

/// <summary>The hash of a model folder's weights, for sidecars that record none.</summary>
internal static class ModelHash
{
    /// <summary>SHA-256 of <paramref name="directory"/>/model.safetensors as it is now.</summary>
    /// <exception cref="MissingInputException">The file is missing.</exception>
    public static string Of(string directory)
    {
        string weights = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(weights)) throw new MissingInputException($"{weights}: not found");
        return Checkpoint.Sha256(weights);
    }
}
