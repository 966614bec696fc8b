# Reads the cmdlet pages in docs/ (PlatyPS markdown) the way a test needs them: name, parameters, examples.
Set-StrictMode -Version Latest

function Get-DocsCommandPage {
    <# One object per cmdlet page (a page whose front matter names an external help file). #>
    param([Parameter(Mandatory)] [string] $DocsPath)

    foreach ($file in Get-ChildItem -LiteralPath $DocsPath -Filter *.md | Where-Object Name -NotLike 'about_*' | Sort-Object Name) {
        $lines = Get-Content -LiteralPath $file.FullName
        if (-not ($lines | Select-Object -First 6 | Where-Object { $_ -match '^external help file:' })) {
            continue
        }
        [pscustomobject]@{
            Name       = $file.BaseName
            Path       = $file.FullName
            Title      = ($lines | Where-Object { $_ -match '^# ' } | Select-Object -First 1) -replace '^# ', ''
            Synopsis   = (Get-Section $lines 'SYNOPSIS' | Where-Object { $_.Trim() }) -join ' '
            Parameters = @(Get-DocsParameter $lines)
            Examples   = @(Get-DocsExample $lines)
        }
    }
}

function Get-Section([string[]] $Lines, [string] $Heading) {
    $inside = $false
    foreach ($line in $Lines) {
        if ($line -match '^## ') {
            $inside = $line -eq "## $Heading"
            continue
        }
        if ($inside) { $line }
    }
}

function Get-DocsParameter([string[]] $Lines) {
    $current = $null
    $inYaml = $false
    foreach ($line in (Get-Section $Lines 'PARAMETERS')) {
        if ($line -match '^### -(\S+)') {
            if ($current) { [pscustomobject]$current }
            $current = [ordered]@{ Name = $Matches[1]; Description = ''; Type = $null; Position = $null; Required = $null; AcceptedValues = @() }
            continue
        }
        if ($line -match '^### ') {
            if ($current) { [pscustomobject]$current }
            $current = $null
            continue
        }
        if (-not $current) { continue }
        if ($line -match '^```yaml') { $inYaml = $true; continue }
        if ($line -match '^```') { $inYaml = $false; continue }
        if ($inYaml) {
            switch -Regex ($line) {
                '^Type:\s*(.+)$' { $current.Type = $Matches[1].Trim() }
                '^Position:\s*(.+)$' { $current.Position = $Matches[1].Trim() }
                '^Required:\s*(.+)$' { $current.Required = $Matches[1].Trim() -eq 'True' }
                '^Accepted values:\s*(.+)$' { $current.AcceptedValues = @($Matches[1].Split(',').Trim()) }
            }
        }
        elseif ($line.Trim()) {
            $current.Description = ($current.Description + ' ' + $line.Trim()).Trim()
        }
    }
    if ($current) { [pscustomobject]$current }
}

function Get-DocsExample([string[]] $Lines) {
    $title = $null
    $fence = $null
    $code = [Collections.Generic.List[string]]::new()
    $output = [Collections.Generic.List[string]]::new()
    $hasOutput = $false
    foreach ($line in @(Get-Section $Lines 'EXAMPLES') + '### <end>') {
        if ($line -match '^### (.+)$') {
            if ($title) {
                [pscustomobject]@{ Title = $title; Code = ($code -join "`n"); Output = if ($hasOutput) { @($output) } else { $null } }
            }
            $title = $Matches[1]
            $code.Clear(); $output.Clear(); $hasOutput = $false
            continue
        }
        if ($null -eq $fence -and $line -match '^```(\w*)') {
            $fence = $Matches[1]
            if ($fence -eq 'output') { $hasOutput = $true }
            continue
        }
        if ($null -ne $fence -and $line -match '^```\s*$') {
            $fence = $null
            continue
        }
        if ($fence -eq 'powershell') { $code.Add(($line -replace '^PS>\s?', '')) }
        elseif ($fence -eq 'output') { $output.Add($line) }
    }
}

function ConvertTo-ComparableLines([string[]] $Lines) {
    # How a person reads output: trailing spaces and blank edges do not count.
    $trimmed = @($Lines | ForEach-Object { $_ -split "`r?`n" } | ForEach-Object TrimEnd)
    $first = 0; $last = $trimmed.Count - 1
    while ($first -le $last -and -not $trimmed[$first]) { $first++ }
    while ($last -ge $first -and -not $trimmed[$last]) { $last-- }
    if ($first -gt $last) { return @() }
    return $trimmed[$first..$last]
}

function Get-DocsExampleCase {
    <# The examples of one cmdlet page as Pester -ForEach cases: Title, Code, Output (null when the page shows none). #>
    param([Parameter(Mandatory)] [string] $DocsPath, [Parameter(Mandatory)] [string] $Name)

    $page = @(Get-DocsCommandPage -DocsPath $DocsPath | Where-Object Name -EQ $Name)
    if ($page.Count -ne 1) {
        throw "docs/ has no page for $Name."
    }
    foreach ($example in $page[0].Examples) {
        @{ Name = $Name; Title = $example.Title; Code = $example.Code; Output = $example.Output }
    }
}

function Assert-DocsExample {
    <#
    .SYNOPSIS
    Runs a docs example in the caller's session and asserts it writes no error and, when the page shows output, exactly
    that output (Out-String -Width 120). Call it from an It block, after setting up whatever the example needs.
    #>
    param([Parameter(Mandatory)] [string] $Code, [AllowNull()] [string[]] $Output)

    $objects = @(& ([scriptblock]::Create($Code)) 2>&1)
    $objects | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Should -BeNullOrEmpty
    $actual = $objects | Out-String -Width 120
    $actual.Trim() | Should -Not -BeNullOrEmpty -Because 'an example shows what the cmdlet does'
    if ($Output) {
        ConvertTo-ComparableLines $actual | Should -Be (ConvertTo-ComparableLines $Output) -Because "the docs show this output for: $Code"
    }
}

Export-ModuleMember -Function Get-DocsCommandPage, Get-DocsExampleCase, Assert-DocsExample
