namespace NativeCore.Tests.Cli;

/// <summary>Commands on an existing model read its setting from the folder; --setting, when given, must agree.</summary>
public sealed class SettingFromModelTests : TempDirectoryTest
{
    [Fact]
    public void A_tracr_folder_is_pruned_as_tracr_without_setting_and_a_contrary_setting_is_refused()
    {
        var (exit, _, err) = CliProcess.Run("tracr", "compile", "--program", "counter", "--max-len", "6", "--out", Dir("c"));
        Assert.True(exit == 0, err);

        (exit, _, err) = CliProcess.Run("prune", "--model", Dir("c"), "--k", "0..1", "--out", Dir("prune"));
        Assert.True(exit == 0, err);
        Assert.True(File.Exists(Path.Combine(Dir("prune"), "prune-units.csv")), "the Tracr pruning driver did not run");

        (exit, _, err) = CliProcess.Run("prune", "--setting", "grammar", "--model", Dir("c"), "--out", Dir("prune-2"));
        Assert.Equal(2, exit);
        Assert.Contains("holds a tracr model", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Dir("prune-2")));

        // probe serves grammar and stories models only: a Tracr folder is refused by what it holds.
        (exit, _, err) = CliProcess.Run("probe", "--model", Dir("c"));
        Assert.Equal(2, exit);
        Assert.Contains("holds a tracr model", err, StringComparison.Ordinal);
    }
}
