using System.Security.Cryptography;
using System.Text;

namespace NativeCore.Experiments;

/// <summary>
/// The one naming rule of a grid's cached stages (grammar, Tracr and stories): <c>stages/NAME-HASH</c>, where HASH is
/// the first 12 hex digits of the SHA-256 of everything that decides the stage's result (its settings and its
/// parents' keys), so a changed setting gets a new folder and an unchanged one is reused.
/// </summary>
internal static class StageKey
{
    /// <summary>The hash of <paramref name="material"/>: 12 lower-case hex digits.</summary>
    public static string Hash(string material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..12];
    }

    /// <summary>The folder of stage <paramref name="name"/> decided by <paramref name="material"/> under <paramref name="runDirectory"/>.</summary>
    public static string Folder(string runDirectory, string name, string material) => Path.Combine(runDirectory, "stages", $"{name}-{Hash(material)}");
}
