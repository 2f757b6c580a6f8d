package runtime

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// gopher-lua's compiler records where each local variable's scope ends
// in the wrong DbgLocals entry: at a block's end it sets EndPc of entry
// number REGISTER instead of the local's own entry, so once registers are
// reused the ends are garbage, and the locals of a function's outermost
// block often have none. Error messages name locals from these scopes
// (errwording.go), so Compile repairs them: it compiles the chunk a second
// time with a marker local at the end of every block, "(end N)" for a
// block that declared N locals, whose start tells where the block ended.
// The marker costs one LOADNIL; the second compile's code is the first's
// with those instructions added, which fixLocalScopes checks before it
// trusts anything.

const endMarker = "(end %d)"

// fixLocalScopes sets the EndPc of every local of proto, compiled from
// chunk. chunk is changed.
func fixLocalScopes(chunk []ast.Stmt, name string, proto *lua.FunctionProto) {
	defer func() { _ = recover() }() // only debug information is at stake
	markBlocks(chunk)
	marked, err := lua.Compile(chunk, name)
	if err != nil {
		return
	}
	fixProto(proto, marked)
}

// fixProto repairs p from its marked twin m, and their nested functions.
func fixProto(p, m *lua.FunctionProto) {
	if len(p.FunctionPrototypes) != len(m.FunctionPrototypes) {
		return
	}
	for i := range p.FunctionPrototypes {
		fixProto(p.FunctionPrototypes[i], m.FunctionPrototypes[i])
	}
	ends := make([]int, len(p.DbgLocals))
	var open []int // entries of p.DbgLocals whose block is open
	j, markers := 0, 0
	for _, l := range m.DbgLocals {
		var n int
		if _, err := fmt.Sscanf(l.Name, endMarker, &n); err == nil && l.Name == fmt.Sprintf(endMarker, n) {
			// The marker's LOADNIL is the instruction before its start.
			end := l.StartPc - 1 - markers
			markers++
			if n > len(open) {
				return
			}
			for _, e := range open[len(open)-n:] {
				ends[e] = end
			}
			open = open[:len(open)-n]
			continue
		}
		if j >= len(p.DbgLocals) || p.DbgLocals[j].Name != l.Name || p.DbgLocals[j].StartPc != l.StartPc-markers {
			return
		}
		open = append(open, j)
		j++
	}
	if j != len(p.DbgLocals) || len(m.Code) != len(p.Code)+markers || !sameCode(p, m) {
		return
	}
	for _, e := range open {
		ends[e] = len(p.Code)
	}
	for i, l := range p.DbgLocals {
		l.EndPc = ends[i]
	}
}

// sameCode reports whether m's code is p's with the markers' LOADNILs
// added.
func sameCode(p, m *lua.FunctionProto) bool {
	marker := map[int]bool{}
	for _, l := range m.DbgLocals {
		var n int
		if _, err := fmt.Sscanf(l.Name, endMarker, &n); err == nil {
			marker[l.StartPc-1] = true
		}
	}
	j := 0
	for pc, ins := range m.Code {
		if marker[pc] && opCode(ins) == lua.OP_LOADNIL {
			continue
		}
		if j >= len(p.Code) || peephole(opCode(ins)) != peephole(opCode(p.Code[j])) {
			return false
		}
		j++
	}
	return j == len(p.Code)
}

// peephole maps the opcodes gopher-lua's last pass may swap for one
// another (jumps to the next instruction become NOP, runs of MOVE start
// with MOVEN) to one, since the markers change what the pass sees.
func peephole(op int) int {
	switch op {
	case lua.OP_NOP:
		return lua.OP_JMP
	case lua.OP_MOVEN:
		return lua.OP_MOVE
	}
	return op
}

// markBlocks adds an end marker to the blocks in stmts and in the
// functions they hold. (A function's outermost block needs none: its
// locals live to its end.)
func markBlocks(stmts []ast.Stmt) {
	for _, s := range stmts {
		switch st := s.(type) {
		case *ast.AssignStmt:
			markExprs(st.Lhs)
			markExprs(st.Rhs)
		case *ast.LocalAssignStmt:
			markExprs(st.Exprs)
		case *ast.FuncCallStmt:
			markExpr(st.Expr)
		case *ast.DoBlockStmt:
			st.Stmts = markedBlock(st.Stmts, 0)
		case *ast.WhileStmt:
			markExpr(st.Condition)
			st.Stmts = markedBlock(st.Stmts, 0)
		case *ast.RepeatStmt:
			// The condition is in the block's scope; the marker can only
			// go before it.
			st.Stmts = markedBlock(st.Stmts, 0)
			markExpr(st.Condition)
		case *ast.IfStmt:
			markExpr(st.Condition)
			st.Then = markedBlock(st.Then, 0)
			st.Else = markedBlock(st.Else, 0)
		case *ast.NumberForStmt:
			markExpr(st.Init)
			markExpr(st.Limit)
			markExpr(st.Step)
			st.Stmts = markedBlock(st.Stmts, 4)
		case *ast.GenericForStmt:
			markExprs(st.Exprs)
			st.Stmts = markedBlock(st.Stmts, 3+len(st.Names))
		case *ast.FuncDefStmt:
			markExpr(st.Name.Func)
			markExpr(st.Name.Receiver)
			markExpr(st.Func)
		case *ast.ReturnStmt:
			markExprs(st.Exprs)
		}
	}
}

// markedBlock is the statements of a block with its end marker, placed
// before trailing labels (which gopher-lua treats specially); declared
// counts the block's own locals outside its statements.
func markedBlock(stmts []ast.Stmt, declared int) []ast.Stmt {
	markBlocks(stmts)
	n := declared
	for _, s := range stmts {
		if l, ok := s.(*ast.LocalAssignStmt); ok {
			n += len(l.Names)
		}
	}
	if n == 0 {
		return stmts // no local to end
	}
	at := len(stmts)
	for at > 0 {
		if _, ok := stmts[at-1].(*ast.LabelStmt); !ok {
			break
		}
		at--
	}
	marker := &ast.LocalAssignStmt{Names: []string{fmt.Sprintf(endMarker, n)}}
	if at > 0 {
		marker.SetLine(stmts[at-1].LastLine())
		marker.SetLastLine(stmts[at-1].LastLine())
	}
	out := make([]ast.Stmt, 0, len(stmts)+1)
	out = append(out, stmts[:at]...)
	out = append(out, marker)
	return append(out, stmts[at:]...)
}

func markExprs(es []ast.Expr) {
	for _, e := range es {
		markExpr(e)
	}
}

func markExpr(e ast.Expr) {
	switch ex := e.(type) {
	case *ast.AttrGetExpr:
		markExpr(ex.Object)
		markExpr(ex.Key)
	case *ast.TableExpr:
		for _, f := range ex.Fields {
			markExpr(f.Key)
			markExpr(f.Value)
		}
	case *ast.FuncCallExpr:
		markExpr(ex.Func)
		markExpr(ex.Receiver)
		markExprs(ex.Args)
	case *ast.LogicalOpExpr:
		markExpr(ex.Lhs)
		markExpr(ex.Rhs)
	case *ast.RelationalOpExpr:
		markExpr(ex.Lhs)
		markExpr(ex.Rhs)
	case *ast.StringConcatOpExpr:
		markExpr(ex.Lhs)
		markExpr(ex.Rhs)
	case *ast.ArithmeticOpExpr:
		markExpr(ex.Lhs)
		markExpr(ex.Rhs)
	case *ast.UnaryMinusOpExpr:
		markExpr(ex.Expr)
	case *ast.UnaryNotOpExpr:
		markExpr(ex.Expr)
	case *ast.UnaryLenOpExpr:
		markExpr(ex.Expr)
	case *ast.FunctionExpr:
		markBlocks(ex.Stmts)
	}
}
