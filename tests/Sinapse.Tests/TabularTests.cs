using Sinapse.Data;
using Sinapse.Tests.Support;

namespace Sinapse.Tests;

public class TabularTests
{
    static string Write(string text) { var p = Path.Combine(CliRunner.Temp(), "t.csv"); File.WriteAllText(p, text); return p; }

    [Fact]
    public void ShippedTables_LoadWithTheirShapesAndClasses()
    {
        var iris = TabularData.LoadShipped("iris");
        Assert.Equal((150, 4), (iris.Count, iris.FeatureCount));
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.Classes);
        Assert.Equal(TabularTask.Classification, iris.Task);
        Assert.Equal(50, iris.Labels!.Count(l => l == 2));
        var wine = TabularData.LoadShipped("wine");
        Assert.Equal((178, 13, 3), (wine.Count, wine.FeatureCount, wine.Classes.Length));
        var bc = TabularData.LoadShipped("breast-cancer");
        Assert.Equal((569, 30), (bc.Count, bc.FeatureCount));
        Assert.Equal(212, bc.Labels!.Count(l => bc.Classes[l] == "malignant"));
        var diabetes = TabularData.LoadShipped("diabetes");
        Assert.Equal((442, 10, TabularTask.Regression), (diabetes.Count, diabetes.FeatureCount, diabetes.Task));
        Assert.Equal([442, 1], diabetes.Data.Targets.Shape);
        Assert.Equal(151f, diabetes.Data.Targets.ToArray()[0]);
    }

    [Fact]
    public void TextColumns_AreOneHot_AndTheTaskIsGuessed()
    {
        var d = TabularData.Load(Write("size,colour,price\n1.5,red,10.5\n2,blue,11.25\n3,red,30\n"), "price");
        Assert.Equal(TabularTask.Regression, d.Task);
        Assert.Equal(["size", "colour=red", "colour=blue"], d.FeatureNames);
        Assert.Equal([1.5f, 1, 0, 2, 0, 1, 3, 1, 0], d.Data.Inputs.ToArray());
        var c = TabularData.Load(Write("a,label\n1,2\n2,0\n3,2\n"), "label");
        Assert.Equal(TabularTask.Classification, c.Task);
        Assert.Equal(["0", "2"], c.Classes); // numeric labels ordered by value
        Assert.Equal([1f, 0, 1], c.Data.Targets.ToArray());
        var r = TabularData.Load(Write("a,label\n1,2\n2,0\n3,2\n"), "label", TabularTask.Regression);
        Assert.Equal([2f, 0, 2], r.Data.Targets.ToArray());
    }

    [Fact]
    public void QuotedCells_KeepTheirSeparators()
    {
        var t = CsvTable.Read(Write("name,x\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\n"));
        Assert.Equal("Smith, J", t.Rows[0][0]);
        Assert.Equal("say \"hi\"", t.Rows[1][0]);
    }

    [Theory]
    [InlineData("a,b,y\n1,2,3\n4,x5,6\n1,1,1\n", "y", "line 3 column 2 ('b'): 'x5' is not a number")]
    [InlineData("a,b,y\n1,2,3\n4,5\n", "y", "line 3: 2 cells, expected 3")]
    [InlineData("a,b,y\n1,2,3\n", "target", "no column 'target'; its columns are a, b, y")]
    [InlineData("a,b,y\n1,,3\n4,5,6\n7,8,9\n", "y", "line 2 column 2 ('b'): the cell is empty")]
    [InlineData("a,y\n1,\"open\n", "y", "line 2: a quoted cell is not closed")]
    [InlineData("a,y\n1,k\n2,k\n", "y", "has only one class, 'k'")]
    public void BadTables_NameTheFileLineAndColumn(string text, string target, string message)
    {
        var p = Write(text);
        var e = Assert.ThrowsAny<Exception>(() => TabularData.Load(p, target));
        Assert.True(e is InvalidDataException or ArgumentException, e.GetType().Name);
        Assert.Contains($"'{p}'", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Standardizer_FitsTrainingColumns_AndInverts()
    {
        var x = Tensor.FromArray([1f, 10, 3, 10, 5, 10], 3, 2);
        var s = Standardizer.Fit(x);
        Assert.Equal([3f, 10], s.Mean);
        Assert.Equal(MathF.Sqrt(8f / 3), s.Std[0], 5);
        Assert.Equal(1f, s.Std[1]); // a constant column is left unscaled
        var z = s.Apply(x).ToArray();
        Assert.Equal(-1.2247449f, z[0], 5);
        Assert.Equal(0f, z[1]);
        TestUtil.Close(x.ToArray(), s.Invert(s.Apply(x)).ToArray());
    }

    [Fact]
    public void StratifiedFolds_PartitionTheRows_AndKeepClassShares()
    {
        var labels = Enumerable.Range(0, 103).Select(i => i < 60 ? 0 : i < 90 ? 1 : 2).ToArray();
        var folds = Folds.KFold(labels.Length, 5, 7, labels);
        Assert.Equal(Enumerable.Range(0, 103), folds.SelectMany(f => f).Order());
        foreach (var f in folds)
        {
            Assert.InRange(f.Length, 20, 21);
            Assert.Equal(12, f.Count(i => labels[i] == 0));
            Assert.InRange(f.Count(i => labels[i] == 1), 6, 6);
            Assert.InRange(f.Count(i => labels[i] == 2), 2, 3);
        }
        Assert.Equal(103 - folds[1].Length, Folds.Rest(folds, 1).Length);
        Assert.Empty(Folds.Rest(folds, 1).Intersect(folds[1]));
        Assert.Equal(folds.Select(f => f.ToArray()), Folds.KFold(labels.Length, 5, 7, labels)); // seeded
        var (train, test) = Folds.Split(labels.Length, 0.2f, 3, labels);
        Assert.Equal((12, 6, 3), (test.Count(i => labels[i] == 0), test.Count(i => labels[i] == 1), test.Count(i => labels[i] == 2)));
        Assert.Equal(103, train.Length + test.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => Folds.KFold(3, 4, 1));
    }
}
