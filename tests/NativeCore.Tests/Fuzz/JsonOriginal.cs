using System.Text;
using CsCheck;

namespace NativeCore.Tests.Fuzz;

/// <summary>A valid JSON file to mutate: its bytes, its tree and the generator of its mutations.</summary>
internal sealed class JsonOriginal
{
    public JsonOriginal(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Bytes = bytes;
        Tree = JsonTree.Parse(Encoding.UTF8.GetString(bytes));
        Mutations = JsonFileMutation.Of(Tree, bytes.Length);
    }

    public byte[] Bytes { get; }

    public JsonTree Tree { get; }

    public Gen<JsonFileMutation> Mutations { get; }

    public byte[] Apply(JsonFileMutation mutation) => (mutation ?? throw new ArgumentNullException(nameof(mutation))).Apply(Tree, Bytes);

    /// <summary>Whether <paramref name="mutated"/> holds the same JSON values as the original.</summary>
    public bool SameMeaning(byte[] mutated) => JsonTree.SameMeaning(Bytes, mutated);
}
