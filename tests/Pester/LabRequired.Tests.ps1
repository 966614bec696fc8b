# When the lab cannot run: a lab test skips and says why, except under CI=true as root, where it fails with the
# reason (Test-K3sNetLabRequired, Skip-K3sNetLabTest). Otherwise a CI machine without nft would pass with the core
# untested. The end-to-end cases run a lab test in a child Pester with nft missing from PATH.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    $LabModule = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1')).ProviderPath
    $PesterManifest = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
    $IsLinuxRoot = $IsLinux -and (& id -u) -eq '0'

    function Invoke-LabTestWithoutNft([AllowEmptyString()][string] $CI) {
        # A PATH with ip, bridge and id but no nft: the lab's own check then finds nft missing, as on a bare machine.
        $bin = Join-Path ([IO.Path]::GetTempPath()) "k3snet-nonft-$PID"
        $null = New-Item -ItemType Directory -Force -Path $bin
        foreach ($tool in 'ip', 'bridge', 'id') {
            $target = (Get-Command $tool -CommandType Application | Select-Object -First 1).Source
            $null = New-Item -ItemType SymbolicLink -Force -Path (Join-Path $bin $tool) -Target $target
        }
        $testFile = Join-Path $bin 'OneLab.Tests.ps1'
        Set-Content -LiteralPath $testFile -Encoding utf8 -Value @"
BeforeAll { Import-Module '$LabModule' -Force; `$NoLab = Test-K3sNetLabSupport }
Describe 'a lab test' { It 'needs the lab' { Skip-K3sNetLabTest -Reason `$NoLab; 1 | Should -Be 1 } }
"@
        try {
            $command = @"
Import-Module '$PesterManifest'
`$result = Invoke-Pester -Path '$testFile' -PassThru -Output None
`$test = `$result.Tests[0]
'<<RESULT>>' + (@{ Result = `$test.Result; Error = "`$(`$test.ErrorRecord)"; Failed = `$result.FailedCount; Skipped = `$result.SkippedCount } | ConvertTo-Json -Compress)
"@
            $output = Invoke-PwshProcess -Command $command -Environment @{ CI = $CI; PATH = $bin } 2>&1 | ForEach-Object { "$_" }
            $line = $output | Where-Object { $_.StartsWith('<<RESULT>>') } | Select-Object -Last 1
            if (-not $line) { throw "The child Pester run wrote no result:`n$($output -join "`n")" }
            return $line.Substring(10) | ConvertFrom-Json
        }
        finally {
            Remove-Item -LiteralPath $bin -Recurse -Force -ErrorAction Ignore
        }
    }
}

Describe 'Test-K3sNetLabRequired: where a lab that cannot be built is a failure' {
    It 'requires the lab under CI=<CI> as root on Linux' -TestCases @(
        @{ CI = 'true' }, @{ CI = 'True' }, @{ CI = '1' }
    ) {
        Test-K3sNetLabRequired -CI $CI -IsLinuxRoot $true | Should -BeTrue
    }

    It 'lets the lab tests skip under CI=''<CI>'' where root is <Root>' -TestCases @(
        @{ CI = ''; Root = $true }, @{ CI = 'false'; Root = $true }, @{ CI = 'true'; Root = $false }
    ) {
        Test-K3sNetLabRequired -CI $CI -IsLinuxRoot $Root | Should -BeFalse
    }
}

Describe 'A lab test on a machine without nft' {
    It 'fails with the reason under CI=true as root' {
        if (-not $IsLinuxRoot) { Set-ItResult -Skipped -Because 'only root reaches the check for nft (the lab asks for root first)' }
        $run = Invoke-LabTestWithoutNft -CI 'true'
        $run.Result | Should -Be 'Failed'
        $run.Failed | Should -Be 1
        $run.Error | Should -BeLike "*CI=true as root*the lab needs 'nft'*"
    }

    It 'skips and says why outside CI' {
        if (-not $IsLinuxRoot) { Set-ItResult -Skipped -Because 'only root reaches the check for nft (the lab asks for root first)' }
        $run = Invoke-LabTestWithoutNft -CI ''
        $run.Result | Should -Be 'Skipped'
        $run.Skipped | Should -Be 1
        $run.Failed | Should -Be 0
        $run.Error | Should -BeLike "*skipped*the lab needs 'nft'*"
    }
}
