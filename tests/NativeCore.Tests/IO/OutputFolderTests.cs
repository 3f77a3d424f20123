using NativeCore.IO;

namespace NativeCore.Tests.IO;

public sealed class OutputFolderTests : TempDirectoryTest
{
    [Fact]
    public void A_new_folder_is_created_and_marked_with_its_kind()
    {
        string dir = Dir("new/nested");
        OutputFolder.Claim(dir, OutputFolder.Kinds.GrammarModel);
        Assert.Equal(OutputFolder.Kinds.GrammarModel, OutputFolder.Owner(dir));
        OutputFolder.Claim(dir, OutputFolder.Kinds.GrammarModel);   // the same kind may come back (resume)
    }

    [Fact]
    public void Another_kind_of_output_is_refused_and_left_untouched()
    {
        string dir = Dir("model");
        OutputFolder.Claim(dir, OutputFolder.Kinds.GrammarModel);
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), "keep");
        var e = Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(dir, OutputFolder.Kinds.StoriesModel));
        Assert.Contains(dir, e.Message, StringComparison.Ordinal);
        Assert.Contains("grammar model", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InputOutput, e.ExitCode);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(dir, "metrics.jsonl")));
        Assert.Equal(OutputFolder.Kinds.GrammarModel, OutputFolder.Owner(dir));
    }

    [Theory]
    [InlineData("checkpoint.json", OutputFolder.Kinds.GrammarModel)]
    [InlineData("tracr.json", OutputFolder.Kinds.TracrModel)]
    [InlineData("stories.json", OutputFolder.Kinds.StoriesModel)]
    public void Folders_from_before_markers_are_recognised_by_their_sidecar(string sidecar, string kind)
    {
        string dir = Dir("legacy-" + sidecar);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, sidecar), "{}");
        Assert.Equal(kind, OutputFolder.Owner(dir));
        OutputFolder.Claim(dir, kind);
        string other = kind == OutputFolder.Kinds.TracrModel ? OutputFolder.Kinds.GrammarModel : OutputFolder.Kinds.TracrModel;
        Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(dir, other));
    }

    [Fact]
    public void A_non_empty_folder_nativecore_did_not_make_is_refused()
    {
        string dir = Dir("theirs");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "thesis.tex"), "keep");
        var e = Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(dir, OutputFolder.Kinds.Analysis));
        Assert.Contains("not made by NativeCore", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, OutputFolder.MarkerName)));
    }

    [Fact]
    public void Require_empty_refuses_even_the_same_kind()
    {
        string dir = Dir("audit");
        OutputFolder.Claim(dir, OutputFolder.Kinds.Audit, requireEmpty: true);
        Directory.CreateDirectory(Path.Combine(dir, "reft"));
        Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(dir, OutputFolder.Kinds.Audit, requireEmpty: true));
        Assert.True(Directory.Exists(Path.Combine(dir, "reft")));
    }

    [Fact]
    public void A_file_where_the_folder_should_be_is_refused()
    {
        string path = Dir("a-file");
        File.WriteAllText(path, "x");
        var e = Assert.Throws<OutputFolderException>(() => OutputFolder.Claim(path, OutputFolder.Kinds.Paper));
        Assert.Contains("is a file", e.Message, StringComparison.Ordinal);
    }
}
